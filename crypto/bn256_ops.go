package crypto

import (
	"bytes"
	"fmt"

	"go.dedis.ch/kyber/v3"
	//lint:ignore SA1019 deprecated for rogue-key attacks on aggregation of independent keys;
	// τ and σ keys come from one trusted dealer and are never aggregated, and tbls builds on it.
	"go.dedis.ch/kyber/v3/sign/bls"
	"go.dedis.ch/kyber/v3/sign/tbls"
)

// Scheme returns SchemeBN256.
func (p *bnPublic) Scheme() string { return SchemeBN256 }

// Backend returns "kyber", the only library bn256 runs on.
func (p *bnPublic) Backend() string { return backendKyber }

// T returns the threshold.
func (p *bnPublic) T() int { return p.t }

// N returns the number of signers.
func (p *bnPublic) N() int { return p.n }

// MarshalBinary returns the encoding UnmarshalPublic reads.
func (p *bnPublic) MarshalBinary() ([]byte, error) { return append([]byte(nil), p.raw...), nil }

// Verify checks a combined signature against the group key with kyber's bls.Verify.
func (p *bnPublic) Verify(msg, sig []byte) error {
	if _, err := p.parseSig(sig); err != nil {
		return err
	}
	if bls.Verify(p.suite, p.group, msg, sig) != nil {
		return ErrBadSignature
	}
	return nil
}

// VerifyShare checks a share against the public key of its index. It is tbls.Verify with
// the share key precomputed instead of evaluated from the public polynomial on every call.
func (p *bnPublic) VerifyShare(msg []byte, sh Share) error {
	if sh.Index < 1 || sh.Index > p.n {
		return fmt.Errorf("%w: %d not in 1..%d", ErrBadIndex, sh.Index, p.n)
	}
	if _, err := p.parseSig(sh.Sig); err != nil {
		return fmt.Errorf("share %d: %w", sh.Index, err)
	}
	if bls.Verify(p.suite, p.shares[sh.Index-1], msg, sh.Sig) != nil {
		return fmt.Errorf("share %d: %w", sh.Index, ErrBadSignature)
	}
	return nil
}

// Combine interpolates the first T distinct shares in the exponent: σ = Σ λ_i(0)·σ_i in G1.
// It is tbls.Recover without the per-share verification and with cached coefficients.
func (p *bnPublic) Combine(_ []byte, shares []Share) ([]byte, error) {
	sel, err := selectShares(shares, p.t, p.n)
	if err != nil {
		return nil, err
	}
	pts := make([]kyber.Point, len(sel))
	for k, sh := range sel {
		if pts[k], err = p.parseSig(sh.Sig); err != nil {
			return nil, fmt.Errorf("share %d: %w", sh.Index, err)
		}
	}
	return combineBN256(p.suite.G1(), p.plans.get(sel), pts).MarshalBinary()
}

// parseSig decodes a G1 point and insists on the canonical encoding (kyber accepts trailing
// bytes and unreduced coordinates), so a valid signature has exactly one byte form. G1 of
// bn256 has prime order, so on-curve means in the group. The identity is refused.
func (p *bnPublic) parseSig(b []byte) (kyber.Point, error) {
	if len(b) != bnSigSize {
		return nil, fmt.Errorf("%w: signature length %d, want %d", ErrMalformed, len(b), bnSigSize)
	}
	s := p.suite.G1().Point()
	if err := s.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("%w: signature is not a G1 point", ErrMalformed)
	}
	canon, err := s.MarshalBinary()
	if err != nil || !bytes.Equal(canon, b) || s.Equal(p.suite.G1().Point().Null()) {
		return nil, fmt.Errorf("%w: signature is not a canonical G1 point", ErrMalformed)
	}
	return s, nil
}

// checkConsistent confirms that the first T share keys interpolate to the group key and to
// every further share key, i.e. all keys are x·G2 for one polynomial of degree T-1.
func (p *bnPublic) checkConsistent() error {
	xs := firstIndices(p.t)
	for at := 0; at <= p.n; at++ {
		if at >= 1 && at <= p.t {
			continue
		}
		want := p.group
		if at > 0 {
			want = p.shares[at-1]
		}
		coeffs := bnField{p.suite.G2()}.lagrange(xs, at)
		acc := p.suite.G2().Point().Null()
		for k := range xs {
			acc.Add(acc, p.suite.G2().Point().Mul(coeffs[k], p.shares[k]))
		}
		if !acc.Equal(want) {
			return fmt.Errorf("%w: share keys do not match the group key (index %d)", ErrMalformed, at)
		}
	}
	return nil
}

// Index returns the signer's share index, 1..n.
func (s *bnSigner) Index() int { return s.pri.I + 1 }

// Sign produces a tbls signature share and strips tbls's two-byte index prefix: the index
// travels in Share.Index.
func (s *bnSigner) Sign(msg []byte) (Share, error) {
	sig, err := tbls.Sign(s.suite, s.pri, msg)
	if err != nil {
		return Share{}, err
	}
	ss := tbls.SigShare(sig)
	return Share{Index: s.Index(), Sig: ss.Value()}, nil
}

// MarshalBinary returns the encoding UnmarshalSigner reads.
func (s *bnSigner) MarshalBinary() ([]byte, error) {
	b, err := s.pri.V.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return encodeSigner(tagBN256, s.Index(), b), nil
}
