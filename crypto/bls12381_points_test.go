package crypto

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
)

// torsionG1 returns a point on the G1 curve outside the prime-order subgroup: gnark's
// GeneratePointNotInG1 multiplies a curve point by r, leaving only its cofactor part.
func torsionG1(t *testing.T) bls.G1Affine {
	t.Helper()
	var f fp.Element
	f.SetUint64(7)
	jac := bls.GeneratePointNotInG1(f)
	var p bls.G1Affine
	p.FromJacobian(&jac)
	if p.IsInfinity() || !p.IsOnCurve() || p.IsInSubGroup() {
		t.Fatal("not a curve point outside G1")
	}
	return p
}

// torsionG2 is torsionG1 for the G2 curve.
func torsionG2(t *testing.T) bls.G2Affine {
	t.Helper()
	var f bls.E2
	f.A0.SetUint64(7)
	f.A1.SetUint64(3)
	jac := bls.GeneratePointNotInG2(f)
	var p bls.G2Affine
	p.FromJacobian(&jac)
	if p.IsInfinity() || !p.IsOnCurve() || p.IsInSubGroup() {
		t.Fatal("not a curve point outside G2")
	}
	return p
}

// badG1Encodings are 48-byte strings that must not parse as a checked G1 point.
func badG1Encodings(t *testing.T, good []byte) map[string][]byte {
	tor := torsionG1(t)
	var sig, plusTorsion bls.G1Affine
	if _, err := sig.SetBytes(good); err != nil {
		t.Fatal(err)
	}
	plusTorsion.Add(&sig, &tor)
	noRoot := make([]byte, blsSigSize)
	noRoot[0] = 0x80
	for x := byte(1); ; x++ { // the first small x whose x³+4 is not a square mod p
		var fx, y2 fp.Element
		fx.SetUint64(uint64(x))
		y2.Square(&fx).Mul(&y2, &fx).Add(&y2, new(fp.Element).SetUint64(4))
		if y2.Legendre() == -1 {
			noRoot[blsSigSize-1] = x
			break
		}
	}
	pModulus := fp.Modulus().FillBytes(make([]byte, blsSigSize))
	pModulus[0] |= 0x80
	return map[string][]byte{
		"torsion point":          g1Bytes(&tor),
		"share plus torsion":     g1Bytes(&plusTorsion),
		"x with no square root":  noRoot,
		"x equal to p":           pModulus,
		"infinity":               append([]byte{0xc0}, make([]byte, blsSigSize-1)...),
		"infinity with sort bit": append([]byte{0xe0}, make([]byte, blsSigSize-1)...),
		"infinity, dirty":        append([]byte{0xc0}, bytes.Repeat([]byte{1}, blsSigSize-1)...),
		"uncompressed flag":      append([]byte{good[0] &^ 0x80}, good[1:]...),
	}
}

func g1Bytes(p *bls.G1Affine) []byte { b := p.Bytes(); return b[:] }

func g2Bytes(p *bls.G2Affine) []byte { b := p.Bytes(); return b[:] }

// TestUntrustedG1Points feeds off-subgroup and malformed G1 encodings to everything that reads
// shares or signatures, on both backends: they are refused as malformed, and CombineOptimistic
// blames them.
func TestUntrustedG1Points(t *testing.T) {
	for _, v := range blsVariants {
		t.Run(v, func(t *testing.T) { untrustedG1Points(t, deal(t, v, 5)) })
	}
}

func untrustedG1Points(t *testing.T, d *dealing) {
	good := d.sharesOver(t, msg1)
	for name, b := range badG1Encodings(t, good[2].Sig) {
		if err := d.pub.VerifyShare(msg1, Share{Index: 3, Sig: b}); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: VerifyShare = %v, want ErrMalformed", name, err)
		}
		if err := d.pub.Verify(msg1, b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Verify = %v, want ErrMalformed", name, err)
		}
		shares := append([]Share{{Index: 3, Sig: b}}, good...)
		sig, bad, err := CombineOptimistic(d.pub, msg1, shares)
		if err != nil || !slices.Equal(bad, []int{3}) || d.pub.Verify(msg1, sig) != nil {
			t.Errorf("%s: CombineOptimistic bad=%v err=%v, want [3] and a valid signature", name, bad, err)
		}
		if sig, err := d.pub.Combine(msg1, shares); err == nil && d.pub.Verify(msg1, sig) == nil {
			t.Errorf("%s: Combine with it gave a valid signature", name)
		}
	}
}

// TestUntrustedG2Keys replaces one key of an encoded public key by an off-subgroup point, a
// subgroup key plus torsion, or the identity: both backends refuse each as malformed.
func TestUntrustedG2Keys(t *testing.T) {
	d := deal(t, SchemeBLS12381, 5)
	enc, _ := d.pub.MarshalBinary()
	tor := torsionG2(t)
	var key, plusTorsion bls.G2Affine
	if _, err := key.SetBytes(enc[5+blsKeySize : 5+2*blsKeySize]); err != nil {
		t.Fatal(err)
	}
	plusTorsion.Add(&key, &tor)
	infinity := append([]byte{0xc0}, make([]byte, blsKeySize-1)...)
	for name, k := range map[string][]byte{"torsion": g2Bytes(&tor), "key plus torsion": g2Bytes(&plusTorsion), "identity": infinity} {
		for _, at := range []int{0, 1, testN} {
			b := slices.Clone(enc)
			copy(b[5+at*blsKeySize:], k)
			for _, backend := range []string{BackendGnark, BackendCircl} {
				if _, err := UnmarshalPublicOn(backend, SchemeBLS12381, b); !errors.Is(err, ErrMalformed) {
					t.Errorf("%s as key %d: UnmarshalPublicOn(%s) = %v, want ErrMalformed", name, at, backend, err)
				}
			}
		}
	}
}

// TestCompressedGarbageNeverPanics tries many random x coordinates with each compression flag:
// about half decode to curve points, almost none in G1, and nothing verifies or panics.
func TestCompressedGarbageNeverPanics(t *testing.T) {
	for _, v := range blsVariants {
		t.Run(v, func(t *testing.T) { compressedGarbage(t, deal(t, v, 5)) })
	}
}

func compressedGarbage(t *testing.T, d *dealing) {
	good := d.sharesOver(t, msg1)
	rnd := randomReader([]byte("compressed garbage"), "g1")
	for i := range 100 {
		b := make([]byte, blsSigSize)
		rnd.Read(b)
		b[0] = b[0]&0x1f | []byte{0x80, 0xa0}[i%2]
		if d.pub.VerifyShare(msg1, Share{Index: 1, Sig: b}) == nil || d.pub.Verify(msg1, b) == nil {
			t.Fatalf("random point %x verified", b)
		}
		if _, _, err := CombineOptimistic(d.pub, msg1, append([]Share{{Index: 1, Sig: b}}, good[1:5]...)); err == nil {
			t.Fatalf("combination with random point %x verified", b)
		}
	}
}
