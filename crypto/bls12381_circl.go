package crypto

import (
	"fmt"

	circl "github.com/cloudflare/circl/ecc/bls12381"
)

// The circl backend of SchemeBLS12381: the same scheme as the gnark backend (bls12381.go),
// with every curve operation a verdict depends on (decoding and checking points, the hash to
// G1, the pairing) done by cloudflare/circl instead of gnark-crypto. It reads the same key
// files and produces and accepts the same bytes, so replicas on either backend run in one
// cluster; what the two share is only this package's byte layouts and the integer Lagrange
// arithmetic of lagrange.go (see docs/design.md, "Two BLS12-381 backends").

// circlPublic is a BLS12-381 threshold key parsed and checked by circl.
type circlPublic struct {
	t, n   int
	group  circl.G2
	shares []circl.G2 // shares[i-1] belongs to index i
	raw    []byte
	plans  *planCache[circlPlan]
}

// circlSigner holds one non-zero secret share as a circl scalar.
type circlSigner struct {
	index  int
	scalar circl.Scalar
}

// newCirclPublic parses keys (group key first, then shares 1..n) with circl, which checks
// that each lies on the curve and in G2.
func newCirclPublic(t int, keys [][]byte) (*circlPublic, error) {
	n := len(keys) - 1
	pub := &circlPublic{t: t, n: n, shares: make([]circl.G2, n), plans: newPlanCache(newCirclPlan)}
	for i, k := range keys {
		p := &pub.group
		if i > 0 {
			p = &pub.shares[i-1]
		}
		if err := parseCirclG2Key(p, k); err != nil {
			return nil, fmt.Errorf("public key %d: %w", i, err)
		}
	}
	pub.raw = encodePublic(tagBLS12381, t, keys)
	return pub, nil
}

func unmarshalPublicCircl(b []byte) (ThresholdPublic, error) {
	t, keys, err := decodePublic(tagBLS12381, blsKeySize, b)
	if err != nil {
		return nil, err
	}
	pub, err := newCirclPublic(t, keys)
	if err != nil {
		return nil, err
	}
	if err := pub.checkConsistent(); err != nil {
		return nil, err
	}
	return pub, nil
}

func unmarshalSignerCircl(b []byte) (ThresholdSigner, error) {
	index, scalar, err := decodeSigner(tagBLS12381, blsScalarSize, b)
	if err != nil {
		return nil, err
	}
	s := &circlSigner{index: index}
	if err := s.scalar.UnmarshalBinary(scalar); err != nil {
		return nil, fmt.Errorf("%w: secret share: %v", ErrMalformed, err)
	}
	if s.scalar.IsZero() == 1 {
		return nil, fmt.Errorf("%w: secret share is zero", ErrMalformed)
	}
	return s, nil
}

// checkConsistent confirms, with circl's arithmetic, that the first T share keys interpolate
// to the group key and to every further share key (as blsPublic.checkConsistent does).
func (p *circlPublic) checkConsistent() error {
	xs := firstIndices(p.t)
	for at := 0; at <= p.n; at++ {
		if at >= 1 && at <= p.t {
			continue
		}
		want := &p.group
		if at > 0 {
			want = &p.shares[at-1]
		}
		c, d := lagrangeRational(xs, at)
		coeffs := fullCoefficients(c, circlInv(circlScalar(d)), circlScalar, circlMul)
		var got, term circl.G2
		got.SetIdentity()
		for i := range coeffs {
			term.ScalarMult(&coeffs[i], &p.shares[i])
			got.Add(&got, &term)
		}
		if !got.IsEqual(want) {
			return fmt.Errorf("%w: share keys do not match the group key (index %d)", ErrMalformed, at)
		}
	}
	return nil
}

// parseCirclG2Key decodes a compressed, checked, non-identity G2 public key into p.
func parseCirclG2Key(p *circl.G2, b []byte) error {
	if len(b) != blsKeySize {
		return fmt.Errorf("%w: key length %d, want %d", ErrMalformed, len(b), blsKeySize)
	}
	if err := p.SetBytes(b); err != nil || b[0]&0x80 == 0 || p.IsIdentity() {
		return fmt.Errorf("%w: not a G2 point", ErrMalformed)
	}
	return nil
}

// parseCirclSig decodes a compressed G1 point; circl checks that it is on the curve and in
// the prime-order subgroup, and the identity is refused. It reads exactly the encodings
// parseSigBLS12381 reads, so the two backends accept and refuse the same signatures.
func parseCirclSig(b []byte) (circl.G1, error) {
	var s circl.G1
	if len(b) != blsSigSize {
		return s, fmt.Errorf("%w: signature length %d, want %d", ErrMalformed, len(b), blsSigSize)
	}
	if b[0]&0x80 == 0 || s.SetBytes(b) != nil || s.IsIdentity() {
		return s, fmt.Errorf("%w: signature is not a G1 point", ErrMalformed)
	}
	return s, nil
}
