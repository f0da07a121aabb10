package crypto

import (
	"crypto/sha512"
	"encoding/binary"
	"unsafe"

	"filippo.io/edwards25519/field"
	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
)

// hintSigner signs as RFC 8032 does, with curve25519-voi's base-point table, and keeps R's
// affine coordinates, which encoding R computes anyway: the hint then costs nothing, where
// recovering it from the 64 bytes (AppendSigHint) costs a square root, about a third of a
// signature. Its signatures are byte for byte those of Sign (TestSignWithHintMatchesSign).
type hintSigner struct {
	a      scalar.Scalar // the secret scalar, reduced mod ℓ
	prefix [32]byte      // the nonce key, the second half of SHA-512(seed)
	pub    VerifyKey
}

// newHintSigner expands seed as RFC 8032 does.
func newHintSigner(seed []byte, pub VerifyKey) *hintSigner {
	h := sha512.Sum512(seed)
	h[0] &= 248
	h[31] &= 127
	h[31] |= 64
	s := &hintSigner{pub: pub}
	if _, err := s.a.SetBytesModOrder(h[:32]); err != nil {
		panic("crypto: a 32-byte scalar was refused: " + err.Error())
	}
	copy(s.prefix[:], h[32:])
	return s
}

// sign returns R ‖ S ‖ x(R).
func (s *hintSigner) sign(msg []byte) []byte {
	var digest [sha512.Size]byte
	h := sha512.New()
	h.Write(s.prefix[:])
	h.Write(msg)
	var r, k, sc scalar.Scalar
	if _, err := r.SetBytesModOrderWide(h.Sum(digest[:0])); err != nil {
		panic("crypto: a 64-byte scalar was refused: " + err.Error())
	}
	var p curve.EdwardsPoint
	p.MulBasepoint(curve.ED25519_BASEPOINT_TABLE, &r)
	x, y := affine(&p)
	sig := make([]byte, HintedSignatureSize)
	copy(sig[:32], y.Bytes())
	sig[31] |= byte(x.IsNegative() << 7)
	copy(sig[SignatureSize:], x.Bytes())
	h.Reset()
	h.Write(sig[:32])
	h.Write(s.pub[:])
	h.Write(msg)
	if _, err := k.SetBytesModOrderWide(h.Sum(digest[:0])); err != nil {
		panic("crypto: a 64-byte scalar was refused: " + err.Error())
	}
	sc.Mul(&k, &s.a)
	sc.Add(&sc, &r)
	if err := sc.ToBytes(sig[32:SignatureSize]); err != nil {
		panic("crypto: a scalar did not encode: " + err.Error())
	}
	return sig
}

// affine returns the affine coordinates of the voi point p, read from its extended
// coordinates (ed25519_affine.go has the layout) with one inversion.
func affine(p *curve.EdwardsPoint) (x, y *field.Element) {
	v := (*voiPoint)(unsafe.Pointer(p))
	var zInv field.Element
	zInv.Invert(fromLimbs(v.z))
	return new(field.Element).Multiply(fromLimbs(v.x), &zInv), new(field.Element).Multiply(fromLimbs(v.y), &zInv)
}

// fromLimbs is the field element with voi's limbs l, which may exceed 51 bits (voi keeps
// them loosely reduced, well below 2⁶³): carries bring them under 2⁵¹ before packing.
func fromLimbs(l [5]uint64) *field.Element {
	for range 2 {
		for i := range 4 {
			l[i+1] += l[i] >> limbBits
			l[i] &= limbMask
		}
		l[0] += 19 * (l[4] >> limbBits)
		l[4] &= limbMask
	}
	var b [32]byte
	lo, hi := l[0]|l[1]<<51, l[1]>>13|l[2]<<38
	binary.LittleEndian.PutUint64(b[0:], lo)
	binary.LittleEndian.PutUint64(b[8:], hi)
	binary.LittleEndian.PutUint64(b[16:], l[2]>>26|l[3]<<25)
	binary.LittleEndian.PutUint64(b[24:], l[3]>>39|l[4]<<12)
	e, err := new(field.Element).SetBytes(b[:])
	if err != nil {
		panic("crypto: 32 bytes were refused as a field element: " + err.Error())
	}
	return e
}
