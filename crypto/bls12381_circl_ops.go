package crypto

import (
	"fmt"
	"math/big"
	"math/bits"

	circl "github.com/cloudflare/circl/ecc/bls12381"
)

// Scheme returns SchemeBLS12381: the circl backend implements the same scheme.
func (p *circlPublic) Scheme() string { return SchemeBLS12381 }

// Backend returns BackendCircl.
func (p *circlPublic) Backend() string { return BackendCircl }

// T returns the threshold.
func (p *circlPublic) T() int { return p.t }

// N returns the number of signers.
func (p *circlPublic) N() int { return p.n }

// MarshalBinary returns the encoding UnmarshalPublic reads, the gnark backend's too.
func (p *circlPublic) MarshalBinary() ([]byte, error) { return append([]byte(nil), p.raw...), nil }

// Verify checks a combined signature against the group key.
func (p *circlPublic) Verify(msg, sig []byte) error {
	s, err := parseCirclSig(sig)
	if err != nil {
		return err
	}
	if !verifyCircl(msg, &s, &p.group) {
		return ErrBadSignature
	}
	return nil
}

// VerifyShare checks a share against the public key of its index.
func (p *circlPublic) VerifyShare(msg []byte, sh Share) error {
	if sh.Index < 1 || sh.Index > p.n {
		return fmt.Errorf("%w: %d not in 1..%d", ErrBadIndex, sh.Index, p.n)
	}
	s, err := parseCirclSig(sh.Sig)
	if err != nil {
		return fmt.Errorf("share %d: %w", sh.Index, err)
	}
	if !verifyCircl(msg, &s, &p.shares[sh.Index-1]) {
		return fmt.Errorf("share %d: %w", sh.Index, ErrBadSignature)
	}
	return nil
}

// verifyCircl checks e(H(msg), pk) · e(sig, G2)⁻¹ = 1 with circl's pairing product. sig must
// be a checked G1 point (parseCirclSig), pk a checked G2 key.
func verifyCircl(msg []byte, sig *circl.G1, pk *circl.G2) bool {
	h := circlHashToG1(msg)
	if h.IsIdentity() { // never in practice; its only signature, the identity, is refused
		return false
	}
	e := circl.ProdPairFrac([]*circl.G1{&h, sig}, []*circl.G2{pk, circl.G2Generator()}, []int{1, -1})
	return e.IsIdentity()
}

// Combine interpolates the first T distinct shares in the exponent, σ = Σ λ_i(0)·σ_i, with
// circl's group law. circl checks every share for the subgroup while decoding; a share off
// it makes Combine fail, which sends CombineOptimistic to verify the shares one by one, the
// same outcome as the gnark backend reaches through its check of the combined point.
func (p *circlPublic) Combine(_ []byte, shares []Share) ([]byte, error) {
	sel, err := selectShares(shares, p.t, p.n)
	if err != nil {
		return nil, err
	}
	pts := make([]circl.G1, len(sel))
	for k, sh := range sel {
		if pts[k], err = parseCirclSig(sh.Sig); err != nil {
			return nil, fmt.Errorf("share %d: %w", sh.Index, err)
		}
	}
	acc := combineCirclG1(p.plans.get(sel), pts)
	return acc.BytesCompressed(), nil
}

// circlPlan combines one index set of shares with circl scalars.
type circlPlan = combinePlan[circl.Scalar]

func newCirclPlan(xs []int) circlPlan { return newCombinePlan(xs, circlScalar, circlInv, circlMul) }

// combineCirclG1 returns Σ λ_i·pts[i] following plan, overwriting pts: on the short path
// d⁻¹·(Σ ±c_i·pts[i]) with one shared chain of doublings, else T full multiplications.
func combineCirclG1(plan *circlPlan, pts []circl.G1) circl.G1 {
	var acc circl.G1
	acc.SetIdentity()
	if plan.Mags == nil {
		var term circl.G1
		for k := range pts {
			term.ScalarMult(&plan.Full[k], &pts[k])
			acc.Add(&acc, &term)
		}
		return acc
	}
	top := 0
	for k, m := range plan.Mags {
		top = max(top, bits.Len64(m))
		if plan.Neg[k] {
			pts[k].Neg()
		}
	}
	for b := top - 1; b >= 0; b-- { // Straus: variable time, the multipliers are public
		acc.Double()
		for k, m := range plan.Mags {
			if m>>uint(b)&1 == 1 {
				acc.Add(&acc, &pts[k])
			}
		}
	}
	if !plan.DIsOne {
		acc.ScalarMult(&plan.DInv, &acc)
	}
	return acc
}

// circlScalar reduces v (possibly negative) modulo the group order.
func circlScalar(v *big.Int) circl.Scalar {
	var s circl.Scalar
	s.SetBytes(new(big.Int).Mod(v, circlOrder).FillBytes(make([]byte, blsScalarSize)))
	return s
}

// circlOrder is the order r of the groups, as circl states it.
var circlOrder = new(big.Int).SetBytes(circl.Order())

func circlInv(a circl.Scalar) circl.Scalar {
	var s circl.Scalar
	s.Inv(&a)
	return s
}

func circlMul(a, b circl.Scalar) circl.Scalar {
	var s circl.Scalar
	s.Mul(&a, &b)
	return s
}

// Index returns the signer's share index.
func (s *circlSigner) Index() int { return s.index }

// Sign is an ordinary BLS signature computed by circl: hash to G1 (cached), times the secret
// share with circl's constant-time scalar multiplication. It is byte for byte the gnark
// backend's signature, BLS signatures being deterministic.
func (s *circlSigner) Sign(msg []byte) (Share, error) {
	h := circlHashToG1(msg)
	var q circl.G1
	q.ScalarMult(&s.scalar, &h)
	return Share{Index: s.index, Sig: q.BytesCompressed()}, nil
}

// MarshalBinary returns the encoding UnmarshalSigner reads.
func (s *circlSigner) MarshalBinary() ([]byte, error) {
	b, err := s.scalar.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return encodeSigner(tagBLS12381, s.index, b), nil
}
