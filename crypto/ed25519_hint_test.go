package crypto

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"filippo.io/edwards25519/field"
	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// TestAffineMatchesDecompression checks the points setAffine writes into curve25519-voi's
// memory against voi's own decompression, for points in the prime-order group and off it
// (plus each small-order point), and that the layout check passes where it must.
func TestAffineMatchesDecompression(t *testing.T) {
	if !hintsWork {
		if runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64" {
			t.Fatal("setAffine failed its self-test: hints are ignored on this platform")
		}
		t.Skip("hints are off on this platform (voi's point layout differs)")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	torsion := smallOrderPoints(t)
	for i := range 200 {
		var seed [64]byte
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		var k scalar.Scalar
		k.SetBytesModOrderWide(seed[:])
		var p, tp curve.EdwardsPoint
		p.MulBasepoint(curve.ED25519_BASEPOINT_TABLE, &k)
		if err := tp.UnmarshalBinary(torsion[i%len(torsion)]); err != nil {
			t.Fatal(err)
		}
		p.Add(&p, &tp)
		var enc curve.CompressedEdwardsY
		enc.SetEdwardsPoint(&p)
		x, ok := recoverX(enc[:])
		if !ok {
			t.Fatalf("point %d: no x recovered", i)
		}
		var got curve.EdwardsPoint
		if !pointFromHint(enc[:], x.Bytes(), &got) || got.Equal(&p) != 1 {
			t.Fatalf("point %d: the hinted point differs from the decompressed one", i)
		}
		if back, _ := got.MarshalBinary(); !bytes.Equal(back, enc[:]) {
			t.Fatalf("point %d: re-encodes as %x, want %x", i, back, enc)
		}
	}
}

// TestSignWithHintMatchesSign checks the signer that keeps R's coordinates against Sign and
// AppendSigHint, byte for byte, over keys and messages of many lengths.
func TestSignWithHintMatchesSign(t *testing.T) {
	for i := range 300 {
		k, _ := GenerateSigningKey(DeriveSeed([]byte("sign-hint"), fmt.Sprint(i%17)))
		msg := bytes.Repeat([]byte{byte(i)}, i)
		got, want := k.SignWithHint(msg), AppendSigHint(k.Sign(msg))
		if !bytes.Equal(got, want) {
			t.Fatalf("message %d: SignWithHint %x, want %x", i, got, want)
		}
		if !ExpandVerifyKey(k.Public()).Verify(msg, got) {
			t.Fatalf("message %d: the hinted signature does not verify", i)
		}
	}
}

// TestHintedZIP215EdgeCases runs the ZIP-215 vectors with hints, right and wrong: the
// verdicts stay those without a hint, one by one and in a batch.
func TestHintedZIP215EdgeCases(t *testing.T) {
	msg := []byte("Zcash")
	var cases []zip215Case
	for _, c := range zip215Cases(t) {
		for _, sig := range hintVariants(c.sig, nil) {
			cases = append(cases, zip215Case{c.key, sig, c.ok && wellSized(sig)})
		}
	}
	batch := NewEd25519Batch(len(cases))
	for _, c := range cases {
		if got := ExpandVerifyKey(c.key).Verify(msg, c.sig); got != c.ok {
			t.Errorf("A=%x sig=%x: Verify = %v, want %v", c.key, c.sig, got, c.ok)
		}
		if got := c.key.Verify(msg, c.sig); got != c.ok {
			t.Errorf("A=%x sig=%x: VerifyKey.Verify = %v, want %v", c.key, c.sig, got, c.ok)
		}
		batch.Add(ExpandVerifyKey(c.key), msg, c.sig)
	}
	checkBatch(t, batch, cases)
}

// TestWrongHintsChangeNothing generates signatures good and bad, each with its right hint
// and with wrong ones (negated, random, another signature's, zero, non-canonical), and checks
// every verdict against curve25519-voi's ZIP-215 check of the bare 64 bytes, one by one and in
// batches that mix them.
func TestWrongHintsChangeNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var keys []*SigningKey
	for i := range 8 {
		k, _ := GenerateSigningKey(DeriveSeed([]byte("hint"), fmt.Sprint(i)))
		keys = append(keys, k)
	}
	var other []byte
	for round := range 40 {
		batch, want := NewEd25519Batch(0), []bool(nil)
		for i := range 24 {
			k := keys[rng.IntN(len(keys))]
			msg := fmt.Appendf(nil, "round %d message %d", round, i)
			sig := k.Sign(msg)
			switch rng.IntN(4) {
			case 0:
				sig[rng.IntN(32)] ^= 1 << rng.IntN(8) // another R, maybe not a point
			case 1:
				msg = append(msg, '!') // forged
			}
			pub := k.Public()
			bare := ed25519.VerifyWithOptions(pub[:], msg, sig, zip215)
			for _, v := range hintVariants(sig, other) {
				exp, ok := ExpandVerifyKey(pub), bare && wellSized(v)
				if got := exp.Verify(msg, v); got != ok {
					t.Fatalf("round %d: sig %x: Verify = %v, want %v", round, v, got, ok)
				}
				if got := pub.Verify(msg, v); got != ok {
					t.Fatalf("round %d: sig %x: VerifyKey.Verify = %v, want %v", round, v, got, ok)
				}
				batch.Add(exp, msg, v)
				want = append(want, ok)
			}
			other = AppendSigHint(sig)[SignatureSize:]
		}
		if got := batch.Verify(); !equalBools(got, want) {
			t.Fatalf("round %d: batch %v, want %v", round, got, want)
		}
	}
}

// TestHintRecognizedOnlyWhenRight checks pointFromHint itself: the right x passes, and a
// wrong one (negated when not zero, off by one, random) never does.
func TestHintRecognizedOnlyWhenRight(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	passed := 0
	for range 2000 {
		enc := make([]byte, 32)
		for j := range enc {
			enc[j] = byte(rng.Uint32())
		}
		var ref curve.EdwardsPoint
		refOK := decodeR(append(enc, make([]byte, 32)...), &ref) // no hint: decompressed
		for i, h := range hintVariants(append(enc, make([]byte, 32)...), nil)[1:] {
			if len(h) != HintedSignatureSize {
				continue
			}
			var p curve.EdwardsPoint
			if !pointFromHint(enc, h[SignatureSize:], &p) {
				continue
			}
			if i != 0 && !bytes.Equal(h[SignatureSize:], make([]byte, 32)) {
				t.Fatalf("enc %x: wrong hint %x (variant %d) accepted", enc, h[SignatureSize:], i)
			}
			if !refOK || p.Equal(&ref) != 1 {
				t.Fatalf("enc %x: hinted point is not the decompressed one", enc)
			}
			passed++
		}
	}
	if passed < 500 {
		t.Fatalf("only %d right hints passed of about 1000 points", passed)
	}
}

// hintVariants returns sig (64 bytes) bare, with its hint, and with wrong hints: negated x,
// x + 1, x + p when that fits (non-canonical), zero, random bytes, other (another signature's
// hint) when given, and one byte short of a hint.
func hintVariants(sig, other []byte) [][]byte {
	out := [][]byte{sig}
	hinted := AppendSigHint(sig)
	if len(hinted) != HintedSignatureSize {
		return append(out, append(append([]byte(nil), sig...), make([]byte, SigHintSize)...))
	}
	x := hinted[SignatureSize:]
	with := func(h []byte) []byte { return append(append([]byte(nil), sig...), h...) }
	neg, _ := recoverX(sig[:32])
	neg.Negate(neg)
	plus := append([]byte(nil), x...)
	plus[0]++
	out = append(out, hinted, with(neg.Bytes()), with(plus), with(make([]byte, SigHintSize)),
		with(bytes.Repeat([]byte{0x5a}, SigHintSize)), hinted[:HintedSignatureSize-1])
	if x[31] == 0 && x[0] < 0x13 { // x + p < 2^255
		np := append([]byte(nil), x...)
		np[0] += 0xed
		for i := 1; i < 31; i++ {
			np[i] = 0xff
		}
		np[31] = 0x7f
		out = append(out, with(np))
	}
	if other != nil {
		out = append(out, with(other))
	}
	return out
}

// wellSized reports whether sig has a length a signature may have: bare or hinted.
func wellSized(sig []byte) bool {
	return len(sig) == SignatureSize || len(sig) == HintedSignatureSize
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCanonical checks the bound of canonical field encodings at p = 2²⁵⁵ − 19.
func TestCanonical(t *testing.T) {
	enc := func(low byte, mid byte, top byte) []byte {
		b := bytes.Repeat([]byte{mid}, 32)
		b[0], b[31] = low, top
		return b
	}
	for _, c := range []struct {
		b    []byte
		want bool
	}{
		{make([]byte, 32), true},
		{enc(0xec, 0xff, 0x7f), true},  // p − 1
		{enc(0xed, 0xff, 0x7f), false}, // p
		{enc(0xff, 0xff, 0x7f), false}, // 2²⁵⁵ − 1
		{enc(0xff, 0xfe, 0x7f), true},  // below p in a middle byte
		{enc(0x00, 0x00, 0x80), false}, // the top bit
		{enc(0xff, 0xff, 0x7e), true},
	} {
		if got := canonical(c.b); got != c.want {
			t.Errorf("canonical(%x) = %v, want %v", c.b, got, c.want)
		}
		var e field.Element
		if _, err := e.SetBytes(c.b); err == nil && c.b[31] < 0x80 && bytes.Equal(e.Bytes(), c.b) != c.want {
			t.Errorf("%x: field.Element disagrees", c.b)
		}
	}
}
