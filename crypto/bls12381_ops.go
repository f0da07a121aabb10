package crypto

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"
	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
)

// Scheme returns SchemeBLS12381.
func (p *blsPublic) Scheme() string { return SchemeBLS12381 }

// Backend returns BackendGnark.
func (p *blsPublic) Backend() string { return BackendGnark }

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
	ok, err := verifyBLS12381(msg, &s, p.groupLines.of(&p.group))
	if err != nil {
		return err
	}
	if !ok {
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
	ok, err := verifyBLS12381(msg, &s, p.shareLines[sh.Index-1].of(&p.shares[sh.Index-1]))
	if err != nil {
		return fmt.Errorf("share %d: %w", sh.Index, err)
	}
	if !ok {
		return fmt.Errorf("share %d: %w", sh.Index, ErrBadSignature)
	}
	return nil
}

// Combine interpolates the first T distinct shares in the exponent: σ = Σ λ_i(0)·σ_i in G1.
// Shares must decode to curve points other than the identity, but are not checked to lie in
// the prime-order subgroup: Combine verifies nothing, and a share off the subgroup yields a
// result that Verify refuses (its subgroup check is on the combined point), which sends
// CombineOptimistic to verify every share, where such a share fails.
func (p *blsPublic) Combine(_ []byte, shares []Share) ([]byte, error) {
	sel, err := selectShares(shares, p.t, p.n)
	if err != nil {
		return nil, err
	}
	pts := make([]bls.G1Affine, len(sel))
	for k, sh := range sel {
		if pts[k], err = parseShareForCombine(sh.Sig); err != nil {
			return nil, fmt.Errorf("share %d: %w", sh.Index, err)
		}
	}
	acc, err := combineG1(p.plans.get(sel), pts)
	if err != nil {
		return nil, err
	}
	b := acc.Bytes()
	return b[:], nil
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
		var got bls.G2Affine
		if _, err := got.MultiExp(p.shares[:p.t], lagrangeBLS12381(xs, at), ecc.MultiExpConfig{}); err != nil {
			return err
		}
		if !got.Equal(want) {
			return fmt.Errorf("%w: share keys do not match the group key (index %d)", ErrMalformed, at)
		}
	}
	return nil
}

// Index returns the signer's share index.
func (s *blsSigner) Index() int { return s.index }

// Sign is an ordinary BLS signature, the one circl's bls.Sign computes: hash to G1 (cached,
// see hashToG1), times the secret share. gnark's GLV scalar multiplication is not constant
// time, but its running time depends on the point only through rare special cases of the
// additions: for the one fixed scalar a signer uses it is the same on every message, so the
// timing of many signatures says no more about the share than the timing of one. Its table
// lookups are indexed by the scalar's bits, which only an attacker sharing this machine's
// caches could observe.
func (s *blsSigner) Sign(msg []byte) (Share, error) {
	q, err := hashToG1(msg)
	if err != nil {
		return Share{}, err
	}
	q.ScalarMultiplication(&q, s.secret)
	b := q.Bytes()
	return Share{Index: s.index, Sig: b[:]}, nil
}

// MarshalBinary returns the encoding UnmarshalSigner reads: the share as a 32-byte big-endian
// integer below the group order, as circl's encoding of the same scalar.
func (s *blsSigner) MarshalBinary() ([]byte, error) {
	b := s.scalar.Bytes()
	return encodeSigner(tagBLS12381, s.index, b[:]), nil
}
