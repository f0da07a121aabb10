package crypto

import (
	"math/big"
	"sync"
	"testing"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
)

// TestMillerLoopFixedQ checks the fixed-argument loop against gnark's pairing on unrelated
// points, twice over the same lines (gnark's own fixed-argument loop spoils them the first time).
func TestMillerLoopFixedQ(t *testing.T) {
	_, _, g1, g2 := bls.Generators()
	var ps [2]bls.G1Affine
	var qs [2]bls.G2Affine
	for i := range 2 {
		ps[i].ScalarMultiplication(&g1, big.NewInt(int64(1000+i)))
		qs[i].ScalarMultiplication(&g2, big.NewInt(int64(77+5*i)))
	}
	want, err := bls.Pair(ps[:], qs[:])
	if err != nil {
		t.Fatal(err)
	}
	l0, l1 := bls.PrecomputeLines(qs[0]), bls.PrecomputeLines(qs[1])
	for range 2 {
		f := millerLoopFixedQ(&ps, &[2]*blsLines{&l0, &l1})
		if got := bls.FinalExponentiation(&f); !got.Equal(&want) {
			t.Fatal("fixed-argument pairing differs from bls.Pair")
		}
	}
	// e(a·g1, b·g2) · e(ab·g1, −g2) = 1
	ps[1].ScalarMultiplication(&g1, big.NewInt(1000*77))
	f := millerLoopFixedQ(&ps, &[2]*blsLines{&l0, negG2Lines()})
	if got := bls.FinalExponentiation(&f); !got.IsOne() {
		t.Fatal("bilinearity check failed")
	}
	ps[1].ScalarMultiplication(&g1, big.NewInt(1000*77+1))
	f = millerLoopFixedQ(&ps, &[2]*blsLines{&l0, negG2Lines()})
	if got := bls.FinalExponentiation(&f); got.IsOne() {
		t.Fatal("pairing check passed for the wrong point")
	}
}

// TestConcurrentVerify verifies from many goroutines on a freshly parsed key, so the lazily
// computed lines are built and read concurrently; run with -race it checks they are shared
// safely and never modified.
func TestConcurrentVerify(t *testing.T) {
	d := deal(t, SchemeBLS12381, 5)
	pub, err := UnmarshalPublic(SchemeBLS12381, first(d.pub.MarshalBinary()))
	if err != nil {
		t.Fatal(err)
	}
	good := d.sharesOver(t, msg1)
	sig, err := pub.Combine(msg1, good)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 4 {
		wg.Go(func() {
			for range 3 {
				errs <- pub.VerifyShare(msg1, good[g%2])
				errs <- pub.Verify(msg1, sig)
			}
		})
	}
	go func() { wg.Wait(); close(errs) }()
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
