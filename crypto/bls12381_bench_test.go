package crypto

import (
	"math/big"
	"testing"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
)

// BenchmarkBLSParts times the pieces of a BLS12-381 verification and signature, to see where
// VerifyShare and SignShare spend their time.
func BenchmarkBLSParts(b *testing.B) {
	_, signers, err := Deal(SchemeBLS12381, 1, 1, []byte("parts"))
	if err != nil {
		b.Fatal(err)
	}
	msg := []byte("pbft/share/v1 prepare v=1 s=1 digest")
	sh, _ := signers[0].Sign(msg)
	sig, _ := parseSigBLS12381(sh.Sig)
	h, _ := hashToG1(msg)
	_, _, _, g2 := bls.Generators()
	lines := bls.PrecomputeLines(g2)
	pair := &[2]bls.G1Affine{h, sig}
	both := &[2]*blsLines{&lines, negG2Lines()}
	b.Run("HashToG1", func(b *testing.B) {
		for b.Loop() {
			if _, err := bls.HashToG1(msg, []byte(dstBLS12381)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseChecked", func(b *testing.B) {
		for b.Loop() {
			if _, err := parseSigBLS12381(sh.Sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseUnchecked", func(b *testing.B) {
		for b.Loop() {
			if _, err := parseShareForCombine(sh.Sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ScalarMulG1", func(b *testing.B) {
		s := signers[0].(*blsSigner).secret
		for b.Loop() {
			var p bls.G1Affine
			p.ScalarMultiplication(&h, s)
		}
	})
	b.Run("ScalarMulG1Small", func(b *testing.B) {
		s := big.NewInt(1 << 20)
		for b.Loop() {
			var p bls.G1Affine
			p.ScalarMultiplication(&h, s)
		}
	})
	b.Run("MillerLoopFixedQ2", func(b *testing.B) {
		for b.Loop() {
			millerLoopFixedQ(pair, both)
		}
	})
	b.Run("MillerLoop2", func(b *testing.B) {
		for b.Loop() {
			if _, err := bls.MillerLoop(pair[:], []bls.G2Affine{g2, g2}); err != nil {
				b.Fatal(err)
			}
		}
	})
	f := millerLoopFixedQ(pair, both)
	b.Run("FinalExp", func(b *testing.B) {
		for b.Loop() {
			bls.FinalExponentiation(&f)
		}
	})
	b.Run("PrecomputeLines", func(b *testing.B) {
		for b.Loop() {
			bls.PrecomputeLines(g2)
		}
	})
}
