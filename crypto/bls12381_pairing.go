package crypto

import (
	"sync"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
)

// blsLines are the line coefficients of the Miller loop for one fixed G2 point, as gnark's
// PrecomputeLines returns them (about 24 KB). Every G2 point a verification pairs with is
// fixed (the negated generator, the group key, the share keys), so the loop's G2 arithmetic
// is done once per key instead of once per check.
type blsLines = [2][len(bls.LoopCounter) - 1]bls.LineEvaluationAff

// lazyLines computes the lines of one key on first use, so loading a large key costs nothing
// for shares that never verify.
type lazyLines struct {
	once  sync.Once
	lines *blsLines
}

// of returns the lines of q, which must be the point this lazyLines always serves.
func (l *lazyLines) of(q *bls.G2Affine) *blsLines {
	l.once.Do(func() {
		lines := bls.PrecomputeLines(*q)
		l.lines = &lines
	})
	return l.lines
}

// negG2Lines returns the lines of −G2, the generator negated.
var negG2Lines = sync.OnceValue(func() *blsLines {
	_, _, _, g2 := bls.Generators()
	var neg bls.G2Affine
	neg.Neg(&g2)
	lines := bls.PrecomputeLines(neg)
	return &lines
})

// verifyBLS12381 checks e(H(msg), pk) · e(sig, −G2) = 1: two Miller loops over precomputed
// lines sharing one final exponentiation. sig must be a checked G1 point (parseSigBLS12381);
// pk's lines come from a key checked when the public key was parsed.
func verifyBLS12381(msg []byte, sig *bls.G1Affine, pk *blsLines) (bool, error) {
	h, err := hashToG1(msg)
	if err != nil {
		return false, err
	}
	if h.IsInfinity() { // never in practice; its only signature, the identity, is refused
		return false, nil
	}
	f := millerLoopFixedQ(&[2]bls.G1Affine{h, *sig}, &[2]*blsLines{pk, negG2Lines()})
	f = bls.FinalExponentiation(&f)
	return f.IsOne(), nil
}

// millerLoopFixedQ is gnark's MillerLoopFixedQ for two pairs, written out because gnark's
// evaluates the lines in place: it overwrites the precomputed lines it is given, so they
// could be used only once and not from two goroutines. This version reads them and keeps
// its products in locals. Points must be non-identity (their y is inverted).
func millerLoopFixedQ(ps *[2]bls.G1Affine, lines *[2]*blsLines) bls.GT {
	var yInv, xNegOverY [2]fp.Element
	var prodInv fp.Element // one inversion for both: 1/y0 = y1/(y0·y1) and the converse
	prodInv.Mul(&ps[0].Y, &ps[1].Y).Inverse(&prodInv)
	yInv[0].Mul(&ps[1].Y, &prodInv)
	yInv[1].Mul(&ps[0].Y, &prodInv)
	for k := range ps {
		xNegOverY[k].Mul(&ps[k].X, &yInv[k]).Neg(&xNegOverY[k])
	}
	var result bls.GT
	result.SetOne()
	var r0, r1 bls.E2
	for i := len(bls.LoopCounter) - 2; i >= 0; i-- {
		result.Square(&result)
		for k, l := range lines {
			// a doubling line always; an addition line too where the loop counter has a bit
			for j := 0; j <= int(bls.LoopCounter[i]); j++ {
				r1.MulByElement(&l[j][i].R1, &yInv[k])
				r0.MulByElement(&l[j][i].R0, &xNegOverY[k])
				result.MulBy01(&r1, &r0)
			}
		}
	}
	result.Conjugate(&result) // the curve parameter x is negative
	return result
}
