package crypto

import (
	"fmt"
	"testing"
)

// benchSetup deals a (t, 7) key and returns it with all seven shares over msg.
func benchSetup(b *testing.B, scheme string, t int, msg []byte) (ThresholdPublic, []ThresholdSigner, []Share) {
	b.Helper()
	pub, signers, err := dealOn(scheme, t, 7, []byte("bench"))
	if err != nil {
		b.Fatal(err)
	}
	shares := make([]Share, len(signers))
	for i, s := range signers {
		if shares[i], err = s.Sign(msg); err != nil {
			b.Fatal(err)
		}
	}
	return pub, signers, shares
}

// schemes are the variants every crypto table and benchmark runs on (backend_test.go).
var schemes = []string{SchemeBN256, SchemeBLS12381, schemeCircl}

// loopWithCPU runs op in b.Loop and also reports the process's CPU time per operation
// (cpu-ns/op): on a machine shared with other work, wall time per operation includes the
// time spent waiting for a core, CPU time does not. The operations are single-threaded.
func loopWithCPU(b *testing.B, op func() error) {
	b.Helper()
	start, ok := processCPU()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	if end, ok2 := processCPU(); ok && ok2 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkThreshold(b *testing.B) {
	msg := []byte("pbft/share/v1 prepare v=1 s=1 digest")
	for _, scheme := range schemes {
		pub, signers, shares := benchSetup(b, scheme, 5, msg)
		sig, err := pub.Combine(msg, shares)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(scheme+"/SignShare", func(b *testing.B) {
			loopWithCPU(b, func() error { _, err := signers[0].Sign(msg); return err })
		})
		b.Run(scheme+"/VerifyShare", func(b *testing.B) {
			loopWithCPU(b, func() error { return pub.VerifyShare(msg, shares[0]) })
		})
		b.Run(scheme+"/VerifyCert", func(b *testing.B) {
			loopWithCPU(b, func() error { return pub.Verify(msg, sig) })
		})
		for _, t := range []int{5, 7} {
			pub, _, shares := benchSetup(b, scheme, t, msg)
			b.Run(fmt.Sprintf("%s/Combine7_T%d", scheme, t), func(b *testing.B) {
				loopWithCPU(b, func() error { _, err := pub.Combine(msg, shares); return err })
			})
			b.Run(fmt.Sprintf("%s/CombineOptimistic7_T%d", scheme, t), func(b *testing.B) {
				loopWithCPU(b, func() error { _, _, err := CombineOptimistic(pub, msg, shares); return err })
			})
		}
		bad := append([]Share(nil), shares...)
		if bad[0], err = signers[0].Sign([]byte("other")); err != nil {
			b.Fatal(err)
		}
		b.Run(scheme+"/CombineOptimistic7_T5_OneBad", func(b *testing.B) {
			loopWithCPU(b, func() error { _, _, err := CombineOptimistic(pub, msg, bad); return err })
		})
	}
}

// ed25519Fixture is a key, a 200-byte message, its signature and the public key.
func ed25519Fixture(b *testing.B) (k *SigningKey, msg, sig []byte, vk VerifyKey) {
	k, err := GenerateSigningKey(make([]byte, SeedSize))
	if err != nil {
		b.Fatal(err)
	}
	msg = make([]byte, 200)
	return k, msg, k.Sign(msg), k.Public()
}

func BenchmarkEd25519(b *testing.B) {
	k, msg, sig, vk := ed25519Fixture(b)
	b.Run("Sign", func(b *testing.B) {
		for b.Loop() {
			k.Sign(msg)
		}
	})
	b.Run("Verify", func(b *testing.B) {
		for b.Loop() {
			if !vk.Verify(msg, sig) {
				b.Fatal("bad")
			}
		}
	})
}
