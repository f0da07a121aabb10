package crypto

import (
	"bytes"
	"fmt"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
)

// Point parsing for the BLS12-381 scheme. gnark's SetBytes reads both the compressed and the
// uncompressed zcash encodings, accepts the point at infinity, and checks that a decoded point
// is on the curve (a compressed x whose y² has no root is refused) and in the prime-order
// subgroup. The helpers below pin the length to the compressed size and refuse the identity,
// which is nobody's key or signature.

// parseG2Key decodes a compressed, checked, non-identity G2 public key into p.
func parseG2Key(p *bls.G2Affine, b []byte) error {
	if len(b) != blsKeySize {
		return fmt.Errorf("%w: key length %d, want %d", ErrMalformed, len(b), blsKeySize)
	}
	if _, err := p.SetBytes(b); err != nil || p.IsInfinity() {
		return fmt.Errorf("%w: not a G2 point", ErrMalformed)
	}
	return nil
}

// parseSigBLS12381 decodes a compressed G1 point and checks it is on the curve, in the
// prime-order subgroup and not the identity.
func parseSigBLS12381(b []byte) (bls.G1Affine, error) {
	var s bls.G1Affine
	if len(b) != blsSigSize {
		return s, fmt.Errorf("%w: signature length %d, want %d", ErrMalformed, len(b), blsSigSize)
	}
	if _, err := s.SetBytes(b); err != nil || s.IsInfinity() {
		return s, fmt.Errorf("%w: signature is not a G1 point", ErrMalformed)
	}
	return s, nil
}

// parseShareForCombine decodes a compressed G1 point that is on the curve and not the
// identity, without the subgroup check (about two thirds of the decoding cost). Only Combine
// uses it: Combine verifies nothing, and whatever it returns reaches a verdict only through
// Verify, which does check the subgroup of the combined point, so checking each share too
// would add cost and no safety (see Combine).
func parseShareForCombine(b []byte) (bls.G1Affine, error) {
	var s bls.G1Affine
	if len(b) != blsSigSize {
		return s, fmt.Errorf("%w: signature length %d, want %d", ErrMalformed, len(b), blsSigSize)
	}
	dec := bls.NewDecoder(bytes.NewReader(b), bls.NoSubgroupChecks())
	if err := dec.Decode(&s); err != nil || s.IsInfinity() || !s.IsOnCurve() {
		return s, fmt.Errorf("%w: signature is not a curve point", ErrMalformed)
	}
	return s, nil
}
