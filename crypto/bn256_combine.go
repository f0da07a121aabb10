package crypto

import (
	"math/big"

	"go.dedis.ch/kyber/v3"
	"go.dedis.ch/kyber/v3/pairing/bn256"
)

// bnPlan combines one index set of bn256 shares.
type bnPlan = combinePlan[kyber.Scalar]

// bnField is the scalar field of bn256, which G1 and G2 share.
type bnField struct{ g kyber.Group }

func (f bnField) scalar(v *big.Int) kyber.Scalar {
	return f.g.Scalar().SetBytes(new(big.Int).Mod(v, bn256.Order).Bytes())
}
func (f bnField) inv(a kyber.Scalar) kyber.Scalar    { return f.g.Scalar().Inv(a) }
func (f bnField) mul(a, b kyber.Scalar) kyber.Scalar { return f.g.Scalar().Mul(a, b) }

func (f bnField) plan(xs []int) bnPlan { return newCombinePlan(xs, f.scalar, f.inv, f.mul) }

// lagrange returns the full coefficients λ_i(at) for xs.
func (f bnField) lagrange(xs []int, at int) []kyber.Scalar {
	c, d := lagrangeRational(xs, at)
	return fullCoefficients(c, f.inv(f.scalar(d)), f.scalar, f.mul)
}

// combineBN256 returns Σ λ_i·pts[i] in group g following plan. On the short path each kyber
// Mul costs in proportion to the bit length of the small multiplier (kyber's double-and-add).
func combineBN256(g kyber.Group, plan *bnPlan, pts []kyber.Point) kyber.Point {
	acc := g.Point().Null()
	term := g.Point()
	if plan.Mags == nil {
		for k, p := range pts {
			acc.Add(acc, term.Mul(plan.Full[k], p))
		}
		return acc
	}
	for k, p := range pts {
		term.Mul(plan.Small[k], p)
		if plan.Neg[k] {
			term.Neg(term) // not acc.Sub(acc, term): kyber's Sub overwrites its receiver first
		}
		acc.Add(acc, term)
	}
	if !plan.DIsOne {
		acc.Mul(plan.DInv, acc)
	}
	return acc
}
