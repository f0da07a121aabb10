package smallbank

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// testTeller is a client with the teller role in the tests that grant it.
const testTeller = "T"

// execAs runs the text operation through Execute as client and decodes the result.
func execAs(t *testing.T, b *Bank, client, text string) Result {
	t.Helper()
	op, err := ParseOp(text)
	must(t, err)
	enc, err := EncodeOp(op)
	must(t, err)
	res, err := DecodeResult(b.Execute(pbft.ClientID(client), enc))
	must(t, err)
	return res
}

// TestOnlyTheOwnerOrATellerDebits: every operation that takes money from an account is refused,
// changing nothing, unless its owner or a teller signed it; credits and reads are open to all.
func TestOnlyTheOwnerOrATellerDebits(t *testing.T) {
	tests := []struct {
		client, op string
		ok         bool
	}{
		{"B", "SendPayment(A, B, 5)", false}, // the issue's `pbft client --id B transfer A B 5`
		{"B", "(A, B, 5)", false},
		{"J", "Amalgamate(C, J)", false}, // the issue's `--id J amalgamate C J`
		{"B", "WriteCheck(A, 1)", false},
		{"B", "WriteCheck(A, 0)", false},
		{"B", "TransactSavings(A, -1)", false},
		{"B", "SendPayment(A, A, 1)", false},
		{"A", "SendPayment(A, B, 5)", true},
		{"C", "Amalgamate(C, J)", true},
		{"B", "SendPayment(B, A, 5)", true},
		{"B", "DepositChecking(A, 5)", true},
		{"B", "TransactSavings(A, 5)", true},
		{"B", "Balance(A)", true},
		{testTeller, "SendPayment(A, B, 5)", true},
		{testTeller, "Amalgamate(C, J)", true},
		{testTeller, "TransactSavings(A, -1)", true},
	}
	for _, tt := range tests {
		t.Run(tt.client+" "+tt.op, func(t *testing.T) {
			bank := scenarioBank(t)
			must(t, bank.Grant(RoleTeller, testTeller))
			must(t, bank.transactSavingsSetup("A", 3))
			before, total, snap := bank.Digest(), bank.Total(), bank.Snapshot()
			res := execAs(t, bank, tt.client, tt.op)
			if res.OK != tt.ok {
				t.Fatalf("%s by %s = %+v, want ok=%v", tt.op, tt.client, res, tt.ok)
			}
			if tt.ok {
				if bank.Refused() != 0 {
					t.Fatalf("refused count %d after an allowed operation", bank.Refused())
				}
				return
			}
			if res.Reason != ReasonNotAuthorized || bank.Refused() != 1 {
				t.Fatalf("%s by %s = %+v, refused %d; want %q counted once", tt.op, tt.client, res, bank.Refused(), ReasonNotAuthorized)
			}
			if bank.Digest() != before || bank.Total() != total || !bytes.Equal(bank.Snapshot(), snap) {
				t.Fatal("a refused operation changed the state")
			}
		})
	}
}

// transactSavingsSetup moves v of an account's checking into its savings, as its owner.
func (b *Bank) transactSavingsSetup(name string, v int64) error {
	if res := b.Apply(Op{Kind: OpTransactSavings, Account: name, Amount: v}); !res.OK {
		return errRes(res)
	}
	return nil
}

type errRes Result

func (e errRes) Error() string { return Result(e).String() }

func TestOpenOwnedNamesAnotherOwner(t *testing.T) {
	bank := NewBank()
	must(t, bank.OpenOwned("savings-1", "alice", 10, 0))
	if owner, ok := bank.Owner("savings-1"); !ok || owner != "alice" {
		t.Fatalf("Owner = %q, %v", owner, ok)
	}
	must(t, bank.Open("bob", 10, 0))
	if res := bank.ApplyAs("savings-1", Op{Kind: OpWriteCheck, Account: "savings-1", Amount: 1}); res.Reason != ReasonNotAuthorized {
		t.Fatalf("the client named after the account debited it: %+v", res)
	}
	if res := bank.ApplyAs("alice", Op{Kind: OpSendPayment, Account: "savings-1", Dest: "bob", Amount: 4}); !res.OK {
		t.Fatalf("the owner could not pay: %+v", res)
	}
	if err := bank.OpenOwned("x", "not a name", 1, 0); err == nil || !strings.Contains(err.Error(), "owner") {
		t.Fatalf("bad owner accepted: %v", err)
	}
	if err := bank.Grant("admin", "alice"); err == nil {
		t.Fatal("unknown role accepted")
	}
}

// TestOwnershipAndTellersAreState: owners and tellers are in the digest and the snapshot, and
// survive a restore.
func TestOwnershipAndTellersAreState(t *testing.T) {
	plain, owned, teller := NewBank(), NewBank(), NewBank()
	must(t, plain.Open("A", 10, 0))
	must(t, owned.OpenOwned("A", "Z", 10, 0))
	must(t, teller.Open("A", 10, 0))
	must(t, teller.Grant(RoleTeller, "c0"))
	if plain.Digest() == owned.Digest() || plain.Digest() == teller.Digest() || owned.Digest() == teller.Digest() {
		t.Fatal("the digest does not depend on owners and tellers")
	}
	for _, src := range []*Bank{plain, owned, teller} {
		back := NewBank()
		must(t, back.RestoreVerified(src.Snapshot(), src.Digest()))
		if !bytes.Equal(back.Snapshot(), src.Snapshot()) || back.Digest() != recomputedState(back) {
			t.Fatal("restore lost owners or tellers")
		}
		frozen := src.Freeze()
		must(t, src.Grant(RoleTeller, "late"))
		if bytes.Equal(frozen(), src.Snapshot()) {
			t.Fatal("a grant after a freeze changed the frozen state")
		}
	}
	if o, _ := owned.Owner("A"); o != "Z" {
		t.Fatalf("owner %q", o)
	}
}

// recomputedState is the digest by the straightforward path, owners and tellers included.
func recomputedState(b *Bank) pbft.Digest {
	if len(b.owners) == 0 {
		return withTellers(recomputed(b), b.tellers)
	}
	fresh := NewBank() // a bank built account by account, in a different order
	names := b.Accounts()
	for k := len(names) - 1; k >= 0; k-- {
		c, s, _ := b.Balances(names[k])
		owner, _ := b.Owner(names[k])
		if err := fresh.OpenOwned(names[k], owner, c, s); err != nil {
			panic(err)
		}
	}
	fresh.tellers = b.tellers
	fresh.stale = true
	return fresh.Digest()
}

func TestSnapshotRejectsNonCanonicalOwnersAndTellers(t *testing.T) {
	owner := func(name, owner string) []byte {
		b := appendName(binaryUvarint(snapshotMagic, 1), name)
		b = append(b, 2, 0, 0) // checking 1, savings 0, version 0
		if owner == "" {
			return append(b, 0)
		}
		return appendName(b, owner)
	}
	tellers := func(b []byte, names ...string) []byte {
		b = append(b, byte(len(names)))
		for _, n := range names {
			b = appendName(b, n)
		}
		return b
	}
	good := resealed(tellers(owner("A", "Z"), "c0", "c1"))
	must(t, NewBank().Restore(good))
	for name, body := range map[string][]byte{
		"owner spelled as the account": tellers(owner("A", "A"), "c0"),
		"tellers out of order":         tellers(owner("A", ""), "c1", "c0"),
		"duplicate teller":             tellers(owner("A", ""), "c0", "c0"),
		"bad teller name":              tellers(owner("A", ""), "c 0"),
		"missing tellers":              owner("A", ""),
	} {
		if err := NewBank().Restore(resealed(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func binaryUvarint(prefix string, v byte) []byte { return append([]byte(prefix), v) }

// TestOneClientCannotExhaustTheBank is the overflow attack: one client deposits as
// much as it can, as often as it likes, into its own and others' accounts. Before the limits,
// 31 such deposits pushed the total to the int64 limit and every other client's deposits then
// failed with "amount overflow"; now the attacker only fills accounts up to MaxBalance and the
// others keep working.
func TestOneClientCannotExhaustTheBank(t *testing.T) {
	bank := scenarioBank(t)
	for range 40 {
		bank.ApplyAs("A", Op{Kind: OpDepositChecking, Account: "A", Amount: math.MaxInt64 / 31})
		bank.ApplyAs("A", Op{Kind: OpTransactSavings, Account: "A", Amount: math.MaxInt64 / 31})
		for _, n := range []string{"A", "C", "D"} {
			for range 50 {
				bank.ApplyAs("A", Op{Kind: OpDepositChecking, Account: n, Amount: MaxDeposit})
			}
		}
	}
	for _, n := range []string{"A", "C", "D"} {
		if v, _ := bank.Balance(n); v > MaxBalance || v <= MaxBalance-MaxDeposit {
			t.Fatalf("%s holds %d, want just under the limit %d", n, v, int64(MaxBalance))
		}
	}
	if res := bank.ApplyAs("B", Op{Kind: OpDepositChecking, Account: "B", Amount: 5}); !res.OK {
		t.Fatalf("another client's deposit failed: %+v", res)
	}
	if res := bank.ApplyAs("E", Op{Kind: OpSendPayment, Account: "E", Dest: "B", Amount: 5}); !res.OK {
		t.Fatalf("another client's payment failed: %+v", res)
	}
	checkInvariants(t, bank, bank.Total())
}

// TestOverflowIsUnreachable: operations with extreme amounts, by any client, never fail with
// "amount overflow" and keep every account within the limits.
func TestOverflowIsUnreachable(t *testing.T) {
	amounts := []int64{math.MaxInt64, math.MinInt64, MaxBalance, -MaxBalance, 2 * MaxBalance,
		2*MaxBalance + 1, MaxDeposit, MaxDeposit + 1, -MaxDeposit, 1, 0}
	rng := rand.New(rand.NewPCG(21, 22))
	bank := scenarioBank(t)
	must(t, bank.Grant(RoleTeller, testTeller))
	clients := []string{"A", "B", testTeller}
	want := bank.Total()
	for step := range 20000 {
		op := randomOp(rng)
		if op.Amount != 0 || op.Kind == OpDepositChecking {
			op.Amount = amounts[rng.IntN(len(amounts))]
		}
		res := bank.ApplyAs(clients[rng.IntN(len(clients))], op)
		if strings.Contains(res.Reason, "overflow") {
			t.Fatalf("step %d: %v overflowed", step, op)
		}
		want += moneyDelta(op, res)
	}
	checkInvariants(t, bank, want)
}

// TestAmalgamateCannotPushADebtOntoAnotherAccount: the owner of an overdrawn account (a check
// larger than its balance leaves checking negative) must not move that debt into an account it
// does not own through Amalgamate's destination, whose checking would fall by the debt.
func TestAmalgamateCannotPushADebtOntoAnotherAccount(t *testing.T) {
	bank := scenarioBank(t)
	if res := execAs(t, bank, "B", "WriteCheck(B, 1000000)"); !res.OK {
		t.Fatalf("B's own overdraft: %+v", res)
	}
	if c, _, _ := bank.Balances("B"); c >= 0 {
		t.Fatalf("B's checking %d after the overdraft, want negative", c)
	}
	before, snap := bank.Digest(), bank.Snapshot()
	res := execAs(t, bank, "B", "Amalgamate(B, A)")
	if res.OK || res.Reason != ReasonNotAuthorized || bank.Refused() != 1 {
		t.Fatalf("Amalgamate(B, A) by B with B overdrawn = %+v, refused %d; want %q counted once",
			res, bank.Refused(), ReasonNotAuthorized)
	}
	if bank.Digest() != before || !bytes.Equal(bank.Snapshot(), snap) {
		t.Fatal("a refused Amalgamate changed the state")
	}
	if c, s, _ := bank.Balances("A"); c != 10 || s != 0 {
		t.Fatalf("A holds (%d, %d), want (10, 0)", c, s)
	}
	// The owner of the destination (or a teller) may still take the debt in.
	must(t, bank.Grant(RoleTeller, testTeller))
	if res := execAs(t, bank, testTeller, "Amalgamate(B, A)"); !res.OK {
		t.Fatalf("Amalgamate(B, A) by a teller = %+v", res)
	}
	if c, s, _ := bank.Balances("A"); c != 10+10-1000001 || s != 0 {
		t.Fatalf("A holds (%d, %d) after taking B's debt, want (%d, 0)", c, s, 10+10-1000001)
	}
	// A debt beyond the overdraft limit bounces, for a teller too.
	if res := execAs(t, bank, "C", "WriteCheck(C, 3999999000)"); !res.OK {
		t.Fatalf("C's own overdraft: %+v", res)
	}
	if res := execAs(t, bank, testTeller, "Amalgamate(C, A)"); res.Reason != ReasonBalanceLimit {
		t.Fatalf("Amalgamate(C, A) past the overdraft limit by a teller = %+v, want %q", res, ReasonBalanceLimit)
	}
}

// TestNoOperationLowersAnAccountItsSignerMayNotDebit: whatever the operation and whatever the
// state (overdrafts included), an account's checking, savings and balance never fall through an
// operation signed by a client that neither owns it nor is a teller.
func TestNoOperationLowersAnAccountItsSignerMayNotDebit(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	bank := scenarioBank(t)
	for i := 0; i < 20000; i++ {
		client := string(rune('A' + rng.IntN(10)))
		op := randomOp(rng)
		if op.Kind == OpWriteCheck && rng.IntN(4) == 0 {
			op.Amount = rng.Int64N(1000) // overdrafts, so that some checking goes negative
		}
		type bal struct{ c, s int64 }
		before := map[string]bal{}
		for _, n := range bank.Accounts() {
			c, s, _ := bank.Balances(n)
			before[n] = bal{c, s}
		}
		bank.ApplyAs(client, op)
		for _, n := range bank.Accounts() {
			if owner, _ := bank.Owner(n); owner == client {
				continue
			}
			c, s, _ := bank.Balances(n)
			if b := before[n]; c < b.c || s < b.s || c+s < b.c+b.s {
				t.Fatalf("step %d: %v signed by %s lowered %s from %+v to (%d, %d)", i, op, client, n, b, c, s)
			}
		}
	}
}
