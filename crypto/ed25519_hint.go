package crypto

import (
	"filippo.io/edwards25519/field"
	"github.com/oasisprotocol/curve25519-voi/curve"
)

// A signature hint saves the verifier the costliest part of preparing a signature:
// decompressing its R, a field square root (about 3 µs, a quarter of a batched check). The
// signer knows R, so it appends R's x-coordinate to the 64-byte signature (SignWithHint), 96
// bytes in all. A verifier checks the hint with a few field multiplications (x·x·(d·y²+1) =
// y²−1 for the y the signature encodes, and x's sign is the encoded sign bit) and then takes
// (x, y) as R. Only one x passes for a given encoding, the one decompression finds, so a
// hint never changes whether a signature is accepted: a missing, malformed or wrong hint is
// ignored and R is decompressed as usual (docs/design.md, "Signatures, MACs and their cost").
// The hint is not signed; whoever relays a request can change it, and gains nothing by it.

// Hinted signature sizes.
const (
	SigHintSize         = 32                          // R's x-coordinate, canonical little-endian
	HintedSignatureSize = SignatureSize + SigHintSize // 96
)

// edwardsD is the curve constant d = −121665/121666.
var edwardsD = func() *field.Element {
	var num, den field.Element
	num.Mult32(new(field.Element).One(), 121665)
	num.Negate(&num)
	den.Mult32(new(field.Element).One(), 121666)
	return num.Multiply(&num, den.Invert(&den))
}()

var fieldOne = new(field.Element).One()

// SignWithHint is Sign followed by the hint: the x-coordinate of the signature's R. It costs
// what Sign does (hintSigner).
func (k *SigningKey) SignWithHint(msg []byte) []byte {
	if !hintsWork {
		return AppendSigHint(k.Sign(msg))
	}
	return k.hint.sign(msg)
}

// AppendSigHint returns the 64-byte signature sig with its hint appended, computed by
// decompressing R. A signature of another length, or whose R is not a point, is returned
// as it is.
func AppendSigHint(sig []byte) []byte {
	if len(sig) != SignatureSize {
		return sig
	}
	x, ok := recoverX(sig[:32])
	if !ok {
		return sig
	}
	return append(sig[:SignatureSize:SignatureSize], x.Bytes()...)
}

// recoverX decompresses the encoding enc (ZIP-215: y may be non-canonical) and returns the
// point's x-coordinate.
func recoverX(enc []byte) (*field.Element, bool) {
	var y, u, v, x field.Element
	if _, err := y.SetBytes(enc); err != nil {
		return nil, false
	}
	u.Square(&y)
	v.Multiply(&u, edwardsD)
	v.Add(&v, fieldOne)
	u.Subtract(&u, fieldOne)
	if _, square := x.SqrtRatio(&u, &v); square != 1 {
		return nil, false
	}
	if int(enc[31]>>7) != x.IsNegative() {
		x.Negate(&x)
	}
	return &x, true
}

// decodeR sets p to the R of sig (64 bytes, or 96 with a hint), from the hint when it is
// right and by decompression otherwise, and reports whether R is a point.
func decodeR(sig []byte, p *curve.EdwardsPoint) bool {
	if len(sig) == HintedSignatureSize && hintsWork && pointFromHint(sig[:32], sig[SignatureSize:], p) {
		return true
	}
	var c curve.CompressedEdwardsY
	if _, err := c.SetBytes(sig[:32]); err != nil {
		return false
	}
	_, err := p.SetCompressedY(&c)
	return err == nil
}

// pointFromHint sets p to the point with encoding enc and x-coordinate xb, and reports
// whether xb is that point's x: canonical, on the curve with enc's y, with enc's sign bit
// (x = 0 takes either, as decompression does).
func pointFromHint(enc, xb []byte, p *curve.EdwardsPoint) bool {
	if !canonical(xb) {
		return false
	}
	var x, y, x2, y2, lhs, rhs field.Element
	if _, err := x.SetBytes(xb); err != nil {
		return false
	}
	if _, err := y.SetBytes(enc); err != nil {
		return false
	}
	if x.IsNegative() != int(enc[31]>>7) && x.Equal(new(field.Element)) != 1 {
		return false
	}
	x2.Square(&x)
	y2.Square(&y)
	lhs.Subtract(&y2, fieldOne)
	rhs.Multiply(&y2, edwardsD)
	rhs.Add(&rhs, fieldOne)
	rhs.Multiply(&rhs, &x2)
	if lhs.Equal(&rhs) != 1 {
		return false
	}
	var yb [32]byte
	copy(yb[:], enc)
	yb[31] &= 0x7f
	if !canonical(yb[:]) { // y ≥ p: ZIP-215 accepts it; its limbs must be reduced
		copy(yb[:], y.Bytes())
	}
	setAffine(p, xb, yb[:], x2.Multiply(&x, &y))
	return true
}

// canonical reports whether the 32 bytes b encode a field element canonically: below
// p = 2²⁵⁵ − 19, so the top bit clear and not one of the 19 values p … 2²⁵⁵ − 1.
func canonical(b []byte) bool {
	if b[31] != 0x7f {
		return b[31] < 0x7f
	}
	for _, c := range b[1:31] {
		if c != 0xff {
			return true
		}
	}
	return b[0] < 0xed
}
