package smallbank

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

func BenchmarkLtHashAdd(b *testing.B) {
	elem := appendElem(nil, "123456", account{checking: 31_000, savings: 12_000})
	var h LtHash
	for b.Loop() {
		h.Add(elem)
	}
}

// BenchmarkLtHashUpdate is the digest cost of changing one account: remove the old element,
// add the new one.
func BenchmarkLtHashUpdate(b *testing.B) {
	old := appendElem(nil, "123456", account{checking: 31_000, savings: 12_000})
	cur := appendElem(nil, "123456", account{checking: 30_990, savings: 12_000})
	var h LtHash
	for b.Loop() {
		h.Remove(old)
		h.Add(cur)
	}
}

// loadedBank is a bank of n benchmark accounts with pre-encoded random payments among them.
func loadedBank(b *testing.B, n int) (*Bank, [][]byte) {
	bank := NewBank()
	if err := bank.LoadAccounts(n, 10_000, 50_000, 1); err != nil {
		b.Fatal(err)
	}
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
		bank.Execute(ops[i%len(ops)])
		i++
		if i%len(ops) == 0 {
			b.StopTimer()
			bank.Digest() // keep the pending set bounded, off the clock
			b.StartTimer()
		}
	}
}

// BenchmarkExecuteSendPaymentDigestEach executes a payment and folds the digest after each:
// the worst case, two account updates (four expansions) per operation.
func BenchmarkExecuteSendPaymentDigestEach(b *testing.B) {
	bank, ops := loadedBank(b, 100_000)
	i := 0
	for b.Loop() {
		bank.Execute(ops[i%len(ops)])
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
		bank.Execute(ops[i%len(ops)])
		i++
		if i%256 == 0 {
			bank.Digest()
		}
	}
}

// BenchmarkLoad1M loads 1,000,000 accounts and computes their first digest; it reports the
// live heap the bank holds.
func BenchmarkLoad1M(b *testing.B) {
	for b.Loop() {
		before := heapInUse()
		bank := NewBank()
		if err := bank.LoadAccounts(1_000_000, 10_000, 50_000, 1); err != nil {
			b.Fatal(err)
		}
		bank.Digest()
		b.ReportMetric(float64(heapInUse()-before)/(1<<20), "MiB-live")
		runtime.KeepAlive(bank)
	}
}

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
