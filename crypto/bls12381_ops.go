package crypto

import (
	"fmt"

	GG "github.com/cloudflare/circl/ecc/bls12381"
)

// Scheme returns SchemeBLS12381.
func (p *blsPublic) Scheme() string { return SchemeBLS12381 }

// T returns the threshold.
func (p *blsPublic) T() int { return p.t }

// N returns the number of signers.
func (p *blsPublic) N() int { return p.n }

// MarshalBinary returns the encoding UnmarshalPublic reads.
func (p *blsPublic) MarshalBinary() ([]byte, error) { return append([]byte(nil), p.raw...), nil }

// Verify checks a combined signature against the group key.
func (p *blsPublic) Verify(msg, sig []byte) error {
	s, err := parseSigBLS12381(sig)
	if err != nil {
		return err
	}
	if !verifyBLS12381(msg, &s, &p.group) {
		return ErrBadSignature
	}
	return nil
}

// VerifyShare checks a share against the public key of its index.
func (p *blsPublic) VerifyShare(msg []byte, sh Share) error {
	if sh.Index < 1 || sh.Index > p.n {
		return fmt.Errorf("%w: %d not in 1..%d", ErrBadIndex, sh.Index, p.n)
	}
	s, err := parseSigBLS12381(sh.Sig)
	if err != nil {
		return fmt.Errorf("share %d: %w", sh.Index, err)
	}
	if !verifyBLS12381(msg, &s, &p.shares[sh.Index-1]) {
		return fmt.Errorf("share %d: %w", sh.Index, ErrBadSignature)
	}
	return nil
}

// Combine interpolates the first T distinct shares in the exponent: σ = Σ λ_i(0)·σ_i in G1.
func (p *blsPublic) Combine(_ []byte, shares []Share) ([]byte, error) {
	sel, err := selectShares(shares, p.t, p.n)
	if err != nil {
		return nil, err
	}
	pts := make([]GG.G1, len(sel))
	for k, sh := range sel {
		if pts[k], err = parseSigBLS12381(sh.Sig); err != nil {
			return nil, fmt.Errorf("share %d: %w", sh.Index, err)
		}
	}
	acc := combineG1(p.plans.get(sel), pts)
	return acc.BytesCompressed(), nil
}

// checkConsistent confirms that the first T share keys interpolate to the group key and to
// every further share key, i.e. all keys are x·G2 for one polynomial of degree T-1.
func (p *blsPublic) checkConsistent() error {
	xs := firstIndices(p.t)
	for at := 0; at <= p.n; at++ {
		if at >= 1 && at <= p.t {
			continue
		}
		want := &p.group
		if at > 0 {
			want = &p.shares[at-1]
		}
		coeffs := lagrangeBLS12381(xs, at)
		var acc, term GG.G2
		acc.SetIdentity()
		for k := range xs {
			term.ScalarMult(&coeffs[k], &p.shares[k])
			acc.Add(&acc, &term)
		}
		if !acc.IsEqual(want) {
			return fmt.Errorf("%w: share keys do not match the group key (index %d)", ErrMalformed, at)
		}
	}
	return nil
}

// Index returns the signer's share index.
func (s *blsSigner) Index() int { return s.index }

// Sign is an ordinary BLS signature, the one circl's bls.Sign computes: hash to G1 (cached,
// see hashToG1), times the secret share (circl's constant-time scalar multiplication).
func (s *blsSigner) Sign(msg []byte) (Share, error) {
	q := hashToG1(msg)
	q.ScalarMult(&s.scalar, &q)
	return Share{Index: s.index, Sig: q.BytesCompressed()}, nil
}

// MarshalBinary returns the encoding UnmarshalSigner reads.
func (s *blsSigner) MarshalBinary() ([]byte, error) {
	b, err := s.key.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return encodeSigner(tagBLS12381, s.index, b), nil
}

// parseSigBLS12381 decodes a compressed G1 point; circl checks it is on the curve and in the
// prime-order subgroup. The identity is refused: it is nobody's valid signature.
func parseSigBLS12381(b []byte) (GG.G1, error) {
	var s GG.G1
	if len(b) != blsSigSize {
		return s, fmt.Errorf("%w: signature length %d, want %d", ErrMalformed, len(b), blsSigSize)
	}
	if err := s.SetBytes(b); err != nil || s.IsIdentity() {
		return s, fmt.Errorf("%w: signature is not a G1 point", ErrMalformed)
	}
	return s, nil
}

// verifyBLS12381 checks e(H(msg), pk) · e(sig, g2)⁻¹ = 1 with one multi-pairing (one final
// exponentiation), as circl's bls.Verify does, minus its per-call public key validation: our
// keys were validated when parsed.
func verifyBLS12381(msg []byte, sig *GG.G1, pk *GG.G2) bool {
	h := hashToG1(msg)
	e := GG.ProdPairFrac([]*GG.G1{&h, sig}, []*GG.G2{pk, GG.G2Generator()}, []int{1, -1})
	return e.IsIdentity()
}
