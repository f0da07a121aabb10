package byzantine

import (
	"bytes"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// A stale-read replica answers a read with the balance it first reported, whatever executed
// since; everything else (writes, digests, the optional snapshot interfaces) is the honest
// application's.
func TestStaleReadAnswersFromBeforeLaterWrites(t *testing.T) {
	bank := smallbank.NewBank()
	if err := bank.Open("A", 10, 0); err != nil {
		t.Fatal(err)
	}
	b, err := Parse([]string{"stale-read", "crash"}, 3, 7, 400)
	if err != nil {
		t.Fatal(err)
	}
	app := Reads(bank, func() Behavior { return b })
	if _, ok := app.(pbft.Freezer); !ok {
		t.Fatal("the wrapped bank lost its Freezer")
	}
	if _, ok := app.(pbft.StagedRestorer); !ok {
		t.Fatal("the wrapped bank lost its StagedRestorer")
	}
	read := mustEncode(t, smallbank.Op{Kind: smallbank.OpBalance, Account: "A"})
	before := app.Query(read)
	app.Execute("A", mustEncode(t, smallbank.Op{Kind: smallbank.OpDepositChecking, Account: "A", Amount: 5}))
	if got := app.Query(read); !bytes.Equal(got, before) {
		t.Fatalf("stale-read answered %v after the deposit, want the first answer %v", got, before)
	}
	if honest := Reads(bank, func() Behavior { return Honest{} }).Query(read); bytes.Equal(honest, before) {
		t.Fatal("an honest replica answered the old balance")
	}
	if bal, _ := bank.Balance("A"); bal != 15 {
		t.Fatalf("balance %d, want 15: stale-read must execute writes honestly", bal)
	}
}

func mustEncode(t *testing.T, op smallbank.Op) []byte {
	t.Helper()
	b, err := smallbank.EncodeOp(op)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
