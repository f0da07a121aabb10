package smallbank

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestFreezesSurviveLaterWrites: freezes taken at random moments of a random run over several
// chunks (operations, and accounts opened into a shared last chunk) each still encode the
// state of their moment at the end, while the bank reflects every change.
func TestFreezesSurviveLaterWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	b := NewBank()
	must(t, b.LoadAccounts(3*chunkLen+100, 10, 50, 7))
	must(t, b.Grant(RoleTeller, testTeller))
	type freeze struct {
		encode func() []byte
		want   []byte
	}
	var freezes []freeze
	for step := range 4000 {
		if step%400 == 0 {
			freezes = append(freezes, freeze{b.Freeze(), b.Snapshot()})
		}
		if step%1000 == 999 {
			must(t, b.Open(fmt.Sprintf("opened-%d", step), 1, 2))
		}
		op := Op{Kind: OpSendPayment, Account: fmt.Sprint(rng.IntN(b.Len() - 4)),
			Dest: fmt.Sprint(rng.IntN(b.Len() - 4)), Amount: 1}
		enc, err := EncodeOp(op)
		must(t, err)
		b.Execute(testTeller, enc)
	}
	for k, f := range freezes {
		if !bytes.Equal(f.encode(), f.want) {
			t.Fatalf("freeze %d no longer encodes the state of its moment", k)
		}
	}
	if bytes.Equal(b.Snapshot(), freezes[len(freezes)-1].want) {
		t.Fatal("the bank did not change after the last freeze")
	}
	restored := NewBank()
	must(t, restored.RestoreVerified(b.Snapshot(), b.Digest()))
}

// BenchmarkFreeze is a checkpoint's capture of a million accounts, then the writes of a
// checkpoint interval (3,000 random payments), which copy the chunks they touch.
func BenchmarkFreeze(b *testing.B) {
	bank := NewBank()
	must(b, bank.Grant(RoleTeller, testTeller))
	if err := bank.LoadAccounts(1_000_000, 10_000, 50_000, 1); err != nil {
		b.Fatal(err)
	}
	bank.Freeze() // sorts the names once, as the first checkpoint does
	rng := rand.New(rand.NewPCG(1, 1))
	ops := make([][]byte, 3000)
	for i := range ops {
		ops[i], _ = EncodeOp(Op{Kind: OpSendPayment, Account: fmt.Sprint(rng.IntN(1_000_000)),
			Dest: fmt.Sprint(rng.IntN(1_000_000)), Amount: 1})
	}
	b.Run("freeze", func(b *testing.B) {
		for b.Loop() {
			bank.Freeze()
		}
	})
	b.Run("freeze+interval", func(b *testing.B) {
		for b.Loop() {
			bank.Freeze()
			for _, op := range ops {
				bank.Execute(testTeller, op)
			}
		}
	})
}
