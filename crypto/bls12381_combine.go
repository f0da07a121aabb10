package crypto

import (
	"math/big"
	"math/bits"

	"github.com/consensys/gnark-crypto/ecc"
	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// blsPlan combines one index set of BLS12-381 shares.
type blsPlan = combinePlan[fr.Element]

func newBLSPlan(xs []int) blsPlan { return newCombinePlan(xs, blsScalar, blsInv, blsMul) }

// lagrangeBLS12381 returns the full coefficients λ_i(at) for xs in the scalar field.
func lagrangeBLS12381(xs []int, at int) []fr.Element {
	c, d := lagrangeRational(xs, at)
	return fullCoefficients(c, blsInv(blsScalar(d)), blsScalar, blsMul)
}

// blsScalar reduces v (possibly negative) modulo the group order.
func blsScalar(v *big.Int) fr.Element {
	var s fr.Element
	s.SetBigInt(v)
	return s
}

func blsInv(a fr.Element) fr.Element {
	var s fr.Element
	s.Inverse(&a)
	return s
}

func blsMul(a, b fr.Element) fr.Element {
	var s fr.Element
	s.Mul(&a, &b)
	return s
}

// combineG1 returns Σ λ_i·pts[i] following plan. It overwrites pts. On the short path that
// is d⁻¹·(Σ ±c_i·pts[i]): a shared chain of a few doublings, then one GLV multiplication.
// Large index sets take gnark's multi-scalar multiplication over the full coefficients; for
// five to seven points that is several times slower than the short path.
func combineG1(plan *blsPlan, pts []bls.G1Affine) (bls.G1Affine, error) {
	var out bls.G1Affine
	if plan.Mags == nil {
		_, err := out.MultiExp(pts, plan.Full, ecc.MultiExpConfig{})
		return out, err
	}
	for k := range pts {
		if plan.Neg[k] {
			pts[k].Neg(&pts[k])
		}
	}
	acc := strausG1(plan.Mags, pts)
	if !plan.DIsOne {
		acc.ScalarMultiplication(&acc, plan.DInv.BigInt(new(big.Int)))
	}
	out.FromJacobian(&acc)
	return out, nil
}

// strausG1 computes Σ mags[i]·pts[i] with one shared chain of doublings (Straus' trick). It
// runs in variable time, which is fine: the multipliers are public Lagrange numerators.
func strausG1(mags []uint64, pts []bls.G1Affine) bls.G1Jac {
	top := 0
	for _, m := range mags {
		top = max(top, bits.Len64(m))
	}
	var acc bls.G1Jac
	acc.X.SetOne()
	acc.Y.SetOne() // (1, 1, 0) is gnark's Jacobian identity
	for b := top - 1; b >= 0; b-- {
		acc.DoubleAssign()
		for k, m := range mags {
			if m>>uint(b)&1 == 1 {
				acc.AddMixed(&pts[k])
			}
		}
	}
	return acc
}
