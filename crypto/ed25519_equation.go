package crypto

import (
	"crypto/rand"
	"crypto/sha512"
	"hash"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
)

// equation is the memory of Ed25519Batch's check, kept from batch to batch: the prepared
// signatures, the scalars and the point lists of the multi-scalar multiplication.
type equation struct {
	sigs    []signed
	z       []byte // 16 random bytes per signature
	scalars []scalar.Scalar
	static  []*curve.ExpandedEdwardsPoint // −A, with their precomputed tables
	dynamic []*curve.EdwardsPoint         // B, then the R
	sPtr    []*scalar.Scalar              // the coefficients of static, then of dynamic
	h       hash.Hash
}

// holds reports whether the batch equation holds for the n well-formed entries: false when
// one of them cannot be prepared (S ≥ ℓ, R not a point) or the sum is not of small order.
// The multiplication is curve25519-voi's, which uses the keys' tables (Straus) up to 94
// signatures and Pippenger's method above.
func (q *equation) holds(entries []batchEntry, n int) bool {
	q.grow(n)
	if _, err := rand.Read(q.z); err != nil {
		panic("crypto: crypto/rand failed: " + err.Error())
	}
	// scalars: n for −z·k (static), then −Σz·S and the n z (dynamic).
	aCoef, bCoef, rCoef := q.scalars[:n], &q.scalars[n], q.scalars[n+1:]
	bCoef.Zero()
	i := 0
	for _, e := range entries {
		if e.malformed {
			continue
		}
		s := &q.sigs[i]
		if !s.prepare(e.key, e.msg, e.sig, q.h) {
			return false
		}
		var z [32]byte
		copy(z[:], q.z[16*i:16*i+16])
		if _, err := rCoef[i].SetBytesModOrder(z[:]); err != nil {
			return false
		}
		var zs scalar.Scalar
		bCoef.Add(bCoef, zs.Mul(&rCoef[i], &s.s))
		aCoef[i].Mul(&rCoef[i], &s.k)
		aCoef[i].Neg(&aCoef[i])
		q.static[i], q.dynamic[1+i] = e.key.negA, &s.r
		i++
	}
	bCoef.Neg(bCoef)
	var sum curve.EdwardsPoint
	sum.ExpandedMultiscalarMulVartime(q.sPtr[:n], q.static[:n], q.sPtr[n:2*n+1], q.dynamic[:n+1])
	return sum.IsSmallOrder()
}

// grow makes room for n signatures, keeping what was allocated before.
func (q *equation) grow(n int) {
	if q.h == nil {
		q.h = sha512.New()
	}
	if cap(q.sigs) >= n {
		q.sigs, q.z = q.sigs[:n], q.z[:16*n]
		return
	}
	q.sigs, q.z = make([]signed, n), make([]byte, 16*n)
	q.scalars = make([]scalar.Scalar, 2*n+1)
	q.static = make([]*curve.ExpandedEdwardsPoint, n)
	q.dynamic = make([]*curve.EdwardsPoint, n+1)
	q.dynamic[0] = curve.ED25519_BASEPOINT_POINT
	q.sPtr = make([]*scalar.Scalar, 2*n+1)
	for i := range q.sPtr {
		q.sPtr[i] = &q.scalars[i]
	}
}
