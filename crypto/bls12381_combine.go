package crypto

import (
	"math/big"
	"math/bits"

	GG "github.com/cloudflare/circl/ecc/bls12381"
)

// blsPlan combines one index set of BLS12-381 shares.
type blsPlan = combinePlan[GG.Scalar]

func newBLSPlan(xs []int) blsPlan { return newCombinePlan(xs, blsScalar, blsInv, blsMul) }

// lagrangeBLS12381 returns the full coefficients λ_i(at) for xs in the scalar field.
func lagrangeBLS12381(xs []int, at int) []GG.Scalar {
	c, d := lagrangeRational(xs, at)
	return fullCoefficients(c, blsInv(blsScalar(d)), blsScalar, blsMul)
}

// blsScalar reduces v (possibly negative) modulo the group order.
func blsScalar(v *big.Int) GG.Scalar {
	var s GG.Scalar
	s.SetBytes(new(big.Int).Mod(v, new(big.Int).SetBytes(GG.Order())).Bytes())
	return s
}

func blsInv(a GG.Scalar) GG.Scalar {
	var s GG.Scalar
	s.Inv(&a)
	return s
}

func blsMul(a, b GG.Scalar) GG.Scalar {
	var s GG.Scalar
	s.Mul(&a, &b)
	return s
}

// combineG1 returns Σ λ_i·pts[i] following plan. It overwrites pts.
func combineG1(plan *blsPlan, pts []GG.G1) GG.G1 {
	var acc GG.G1
	acc.SetIdentity()
	if plan.Mags == nil {
		var term GG.G1
		for k := range pts {
			term.ScalarMult(&plan.Full[k], &pts[k])
			acc.Add(&acc, &term)
		}
		return acc
	}
	for k := range pts {
		if plan.Neg[k] {
			pts[k].Neg()
		}
	}
	acc = strausG1(plan.Mags, pts)
	if !plan.DIsOne {
		acc.ScalarMult(&plan.DInv, &acc)
	}
	return acc
}

// strausG1 computes Σ mags[i]·pts[i] with one shared chain of doublings (Straus' trick). It
// runs in variable time, which is fine: the multipliers are public Lagrange numerators.
func strausG1(mags []uint64, pts []GG.G1) GG.G1 {
	top := 0
	for _, m := range mags {
		top = max(top, bits.Len64(m))
	}
	var acc GG.G1
	acc.SetIdentity()
	for b := top - 1; b >= 0; b-- {
		acc.Double()
		for k, m := range mags {
			if m>>uint(b)&1 == 1 {
				acc.Add(&acc, &pts[k])
			}
		}
	}
	return acc
}
