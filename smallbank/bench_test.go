package smallbank

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// loadedBank is a bank of n benchmark accounts with pre-encoded random payments among them.
func loadedBank(b *testing.B, n int) (*Bank, [][]byte) {
	bank := NewBank()
	if err := bank.LoadAccounts(n, 10_000, 50_000, 1); err != nil {
		b.Fatal(err)
	}
	must(b, bank.Grant(RoleTeller, testTeller))
	bank.Digest()
	rng := rand.New(rand.NewPCG(2, 2))
	ops := make([][]byte, 4096)
	for i := range ops {
		op := Op{Kind: OpSendPayment, Account: AccountName(rng.IntN(n)), Dest: AccountName(rng.IntN(n)), Amount: rng.Int64N(100)}
		ops[i], _ = EncodeOp(op)
	}
	return bank, ops
}

// BenchmarkExecuteSendPayment is the execution cost alone (decode, apply, encode the result);
// the digest work it defers is measured by the benchmarks below.
func BenchmarkExecuteSendPayment(b *testing.B) {
	bank, ops := loadedBank(b, 100_000)
	i := 0
	for b.Loop() {
		bank.Execute(testTeller, ops[i%len(ops)])
		i++
		if i%len(ops) == 0 {
			b.StopTimer()
			bank.Digest() // keep the pending set bounded, off the clock
			b.StartTimer()
		}
	}
}

// BenchmarkExecuteSendPaymentDigestEach executes a payment and folds the digest after each:
// the worst case, two leaves and their paths to the root rehashed per operation.
func BenchmarkExecuteSendPaymentDigestEach(b *testing.B) {
	bank, ops := loadedBank(b, 100_000)
	i := 0
	for b.Loop() {
		bank.Execute(testTeller, ops[i%len(ops)])
		bank.Digest()
		i++
	}
}

// BenchmarkExecuteSendPaymentDigestBatch folds the digest once per batch of 256 payments, as
// a replica does when it digests at batch or checkpoint boundaries. Reported per operation.
func BenchmarkExecuteSendPaymentDigestBatch(b *testing.B) {
	bank, ops := loadedBank(b, 100_000)
	i := 0
	for b.Loop() {
		bank.Execute(testTeller, ops[i%len(ops)])
		i++
		if i%256 == 0 {
			bank.Digest()
		}
	}
}

// benchmarkLoad loads n accounts and computes their first digest; it reports the live heap the
// bank holds, and the part of it that the digest tree adds.
func benchmarkLoad(b *testing.B, n int) {
	for b.Loop() {
		before := heapInUse()
		bank := NewBank()
		if err := bank.LoadAccounts(n, 10_000, 50_000, 1); err != nil {
			b.Fatal(err)
		}
		loaded := heapInUse()
		bank.Digest()
		done := heapInUse()
		b.ReportMetric(float64(done-before)/(1<<20), "MiB-live")
		b.ReportMetric(float64(done-loaded)/(1<<20), "MiB-digest")
		runtime.KeepAlive(bank)
	}
}

func BenchmarkLoad100k(b *testing.B) { benchmarkLoad(b, 100_000) }

func BenchmarkLoad1M(b *testing.B) { benchmarkLoad(b, 1_000_000) }

// BenchmarkLoad1MNoDigest is the loading alone, without hashing.
func BenchmarkLoad1MNoDigest(b *testing.B) {
	for b.Loop() {
		bank := NewBank()
		if err := bank.LoadAccounts(1_000_000, 10_000, 50_000, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSnapshot1M(b *testing.B) {
	bank, _ := loadedBank(b, 1_000_000)
	bank.Snapshot() // the name order is sorted once and cached
	for b.Loop() {
		b.SetBytes(int64(len(bank.Snapshot())))
	}
}

func BenchmarkRestore1M(b *testing.B) {
	src, _ := loadedBank(b, 1_000_000)
	snap := src.Snapshot()
	b.SetBytes(int64(len(snap)))
	for b.Loop() {
		if err := NewBank().Restore(snap); err != nil {
			b.Fatal(err)
		}
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// benchmarkCheckpointFold is the digest cost of one checkpoint interval on a bank of n
// accounts: 3,000 random account changes (off the clock), then one Digest (timed).
func benchmarkCheckpointFold(b *testing.B, n int) {
	bank, _ := loadedBank(b, n)
	rng := rand.New(rand.NewPCG(3, 3))
	for b.Loop() {
		b.StopTimer()
		for range 3000 {
			bank.Apply(Op{Kind: OpDepositChecking, Account: AccountName(rng.IntN(n)), Amount: 1})
		}
		b.StartTimer()
		bank.Digest()
	}
}

func BenchmarkCheckpointFold100k(b *testing.B) { benchmarkCheckpointFold(b, 100_000) }

func BenchmarkCheckpointFold1M(b *testing.B) { benchmarkCheckpointFold(b, 1_000_000) }

// BenchmarkFirstDigest1M is the first Digest of a freshly loaded 1,000,000-account bank; the
// loading itself is off the clock.
func BenchmarkFirstDigest1M(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		bank := NewBank()
		if err := bank.LoadAccounts(1_000_000, 10_000, 50_000, 1); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		bank.Digest()
	}
}
