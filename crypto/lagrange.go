package crypto

import (
	"math/big"
)

// Lagrange coefficients for share indices are ratios of small integers:
//
//	λ_i(at) = Π_{j≠i} (at − x_j) / Π_{j≠i} (x_i − x_j) = c_i / d
//
// with d the least common multiple of the denominators. For a cluster of seven the c_i fit in
// a few dozen bits, so Combine computes Σ λ_i·σ_i as d⁻¹·(Σ c_i·σ_i): T short scalar
// multiplications and one full one, instead of T full ones. Larger index sets whose c_i do not
// fit in 62 bits fall back to the full coefficients c_i·d⁻¹ mod r.

// maxSmallBits bounds the multipliers of the short path.
const maxSmallBits = 62

// lagrangeRational returns integers c and a positive d with λ_i(at) = c[i]/d for each xs[i].
// The indices in xs must be distinct.
func lagrangeRational(xs []int, at int) (c []*big.Int, d *big.Int) {
	nums := make([]*big.Int, len(xs))
	dens := make([]*big.Int, len(xs))
	d = big.NewInt(1)
	for i, xi := range xs {
		nums[i], dens[i] = big.NewInt(1), big.NewInt(1)
		for j, xj := range xs {
			if j != i {
				nums[i].Mul(nums[i], big.NewInt(int64(at-xj)))
				dens[i].Mul(dens[i], big.NewInt(int64(xi-xj)))
			}
		}
		d = lcm(d, new(big.Int).Abs(dens[i]))
	}
	c = make([]*big.Int, len(xs))
	for i := range xs {
		c[i] = new(big.Int).Quo(d, dens[i]) // exact: dens[i] divides d
		c[i].Mul(c[i], nums[i])
	}
	return c, d
}

func lcm(a, b *big.Int) *big.Int {
	g := new(big.Int).GCD(nil, nil, a, b)
	return new(big.Int).Mul(new(big.Int).Quo(a, g), b)
}

// smallMultipliers splits c into magnitudes and signs, or reports false when some |c_i| is too
// large for the short path.
func smallMultipliers(c []*big.Int) (mags []uint64, neg []bool, ok bool) {
	mags = make([]uint64, len(c))
	neg = make([]bool, len(c))
	for i, ci := range c {
		if ci.BitLen() > maxSmallBits {
			return nil, nil, false
		}
		mags[i] = new(big.Int).Abs(ci).Uint64()
		neg[i] = ci.Sign() < 0
	}
	return mags, neg, true
}

// combinePlan is how a scheme combines one index set: on the short path (Mags set) it adds
// ±Mags[i]·σ_i (Small holds the same magnitudes as field elements) and multiplies the sum by
// DInv unless DIsOne; otherwise it adds Full[i]·σ_i. S is the scheme's scalar type.
type combinePlan[S any] struct {
	Mags   []uint64
	Small  []S
	Neg    []bool
	DInv   S
	DIsOne bool
	Full   []S
}

// newCombinePlan builds the plan for xs at zero. scalar converts a non-negative integer into
// the scheme's field; inv and mul are the field operations it needs.
func newCombinePlan[S any](xs []int, scalar func(*big.Int) S, inv func(S) S, mul func(a, b S) S) combinePlan[S] {
	c, d := lagrangeRational(xs, 0)
	p := combinePlan[S]{DInv: inv(scalar(d)), DIsOne: d.Cmp(big.NewInt(1)) == 0}
	if mags, neg, ok := smallMultipliers(c); ok {
		p.Mags, p.Neg = mags, neg
		p.Small = make([]S, len(mags))
		for i, m := range mags {
			p.Small[i] = scalar(new(big.Int).SetUint64(m))
		}
		return p
	}
	p.Full = fullCoefficients(c, p.DInv, scalar, mul)
	return p
}

// fullCoefficients returns c_i·dInv in the scheme's field.
func fullCoefficients[S any](c []*big.Int, dInv S, scalar func(*big.Int) S, mul func(a, b S) S) []S {
	out := make([]S, len(c))
	for i, ci := range c {
		out[i] = mul(scalar(ci), dInv)
	}
	return out
}
