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

func BenchmarkThreshold(b *testing.B) {
	msg := []byte("pbft/share/v1 prepare v=1 s=1 digest")
	for _, scheme := range schemes {
		pub, signers, shares := benchSetup(b, scheme, 5, msg)
		sig, err := pub.Combine(msg, shares)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(scheme+"/SignShare", func(b *testing.B) {
			for b.Loop() {
				if _, err := signers[0].Sign(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(scheme+"/VerifyShare", func(b *testing.B) {
			for b.Loop() {
				if err := pub.VerifyShare(msg, shares[0]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(scheme+"/VerifyCert", func(b *testing.B) {
			for b.Loop() {
				if err := pub.Verify(msg, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, t := range []int{5, 7} {
			pub, _, shares := benchSetup(b, scheme, t, msg)
			b.Run(fmt.Sprintf("%s/Combine7_T%d", scheme, t), func(b *testing.B) {
				for b.Loop() {
					if _, err := pub.Combine(msg, shares); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("%s/CombineOptimistic7_T%d", scheme, t), func(b *testing.B) {
				for b.Loop() {
					if _, _, err := CombineOptimistic(pub, msg, shares); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		bad := append([]Share(nil), shares...)
		if bad[0], err = signers[0].Sign([]byte("other")); err != nil {
			b.Fatal(err)
		}
		b.Run(scheme+"/CombineOptimistic7_T5_OneBad", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := CombineOptimistic(pub, msg, bad); err != nil {
					b.Fatal(err)
				}
			}
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
