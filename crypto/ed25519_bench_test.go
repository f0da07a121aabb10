package crypto

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkEd25519Expanded measures expanding a key (its B/op is the memory an expanded key
// holds) and verifying with one.
func BenchmarkEd25519Expanded(b *testing.B) {
	_, msg, sig, vk := ed25519Fixture(b)
	b.Run("Expand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ExpandVerifyKey(vk)
		}
	})
	exp := ExpandVerifyKey(vk)
	b.Run("Verify", func(b *testing.B) {
		for b.Loop() {
			if !exp.Verify(msg, sig) {
				b.Fatal("bad")
			}
		}
	})
}

// BenchmarkEd25519Batch verifies batches of signatures by distinct keys, a new batch each
// time; ns/sig is the cost per signature.
func BenchmarkEd25519Batch(b *testing.B) { benchmarkEd25519Batch(b, false, false) }

// BenchmarkEd25519BatchReused is BenchmarkEd25519Batch with one batch and one result slice,
// reset and refilled for every check, as a replica verifying batch after batch does.
func BenchmarkEd25519BatchReused(b *testing.B) { benchmarkEd25519Batch(b, true, false) }

// BenchmarkEd25519BatchHinted is BenchmarkEd25519BatchReused with hinted signatures
// (SignWithHint): R is not decompressed.
func BenchmarkEd25519BatchHinted(b *testing.B) { benchmarkEd25519Batch(b, true, true) }

func benchmarkEd25519Batch(b *testing.B, reuse, hinted bool) {
	for _, n := range []int{16, 64, 128, 150} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			keys, msgs, sigs := make([]*ExpandedVerifyKey, n), make([][]byte, n), make([][]byte, n)
			for i := range n {
				k, _ := GenerateSigningKey(DeriveSeed([]byte("bench"), fmt.Sprint(i)))
				keys[i], msgs[i] = ExpandVerifyKey(k.Public()), []byte(fmt.Sprintf("request %d", i))
				if sigs[i] = k.Sign(msgs[i]); hinted {
					sigs[i] = AppendSigHint(sigs[i])
				}
			}
			batch, valid := NewEd25519Batch(n), []bool(nil)
			for b.Loop() {
				if reuse {
					batch.Reset()
				} else {
					batch, valid = NewEd25519Batch(n), nil
				}
				for i := range n {
					batch.Add(keys[i], msgs[i], sigs[i])
				}
				if valid = batch.VerifyInto(valid); !valid[n-1] {
					b.Fatal("bad")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sig")
		})
	}
}

// TestExpandedKeyMemory reports the heap an expanded key keeps alive.
func TestExpandedKeyMemory(t *testing.T) {
	const n = 1000
	keys := make([]*ExpandedVerifyKey, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keys {
		keys[i] = ExpandVerifyKey(VerifyKey{1}) // the identity point: a valid key
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	t.Logf("an expanded key holds %.0f bytes", per)
	if per < 1024 || per > 4096 || !keys[n-1].Valid() {
		t.Errorf("an expanded key holds %.0f bytes, want about 1.5 KiB", per)
	}
}
