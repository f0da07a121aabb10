package smallbank

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// bal is an account's checking and savings in a test table.
type bal struct{ c, s int64 }

// newTestBank opens A and B with the given balances, and N with checking n (an account that
// takes part in no operation of the table).
func newTestBank(t testing.TB, a, b bal, n int64) *Bank {
	t.Helper()
	bank := NewBank()
	must(t, bank.Open("N", n, 0))
	must(t, bank.Open("A", a.c, a.s))
	must(t, bank.Open("B", b.c, b.s))
	return bank
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func balOf(b *Bank, name string) bal {
	c, s, _ := b.Balances(name)
	return bal{c, s}
}

func TestApply(t *testing.T) {
	const max = MaxBalance
	tests := []struct {
		name         string
		a, b         bal
		n            int64
		op           string
		want         Result
		wantA, wantB bal
	}{
		{"balance", bal{7, 5}, bal{10, 0}, 0, "Balance(A)", Result{OK: true, Value: 12}, bal{7, 5}, bal{10, 0}},
		{"balance overdrawn", bal{-3, 1}, bal{10, 0}, 0, "(A)", Result{OK: true, Value: -2}, bal{-3, 1}, bal{10, 0}},
		{"balance unknown", bal{7, 5}, bal{10, 0}, 0, "Balance(Z)", Result{Reason: "unknown account Z"}, bal{7, 5}, bal{10, 0}},

		{"deposit", bal{10, 0}, bal{10, 0}, 0, "DepositChecking(A, 25)", Result{OK: true, Value: 25}, bal{35, 0}, bal{10, 0}},
		{"deposit zero", bal{10, 0}, bal{10, 0}, 0, "DepositChecking(A, 0)", Result{OK: true}, bal{10, 0}, bal{10, 0}},
		{"deposit negative", bal{10, 0}, bal{10, 0}, 0, "DepositChecking(A, -1)", Result{Reason: ReasonNegativeAmount}, bal{10, 0}, bal{10, 0}},
		{"deposit negative unknown", bal{10, 0}, bal{10, 0}, 0, "DepositChecking(Z, -1)", Result{Reason: ReasonNegativeAmount}, bal{10, 0}, bal{10, 0}},
		{"deposit unknown", bal{10, 0}, bal{10, 0}, 0, "DepositChecking(Z, 1)", Result{Reason: "unknown account Z"}, bal{10, 0}, bal{10, 0}},
		{"deposit over the balance limit", bal{max - 5, 0}, bal{0, 0}, 0, "DepositChecking(A, 6)", Result{Reason: ReasonBalanceLimit}, bal{max - 5, 0}, bal{0, 0}},
		{"deposit up to the balance limit", bal{max - 6, 1}, bal{0, 0}, 0, "DepositChecking(A, 5)", Result{OK: true, Value: 5}, bal{max - 1, 1}, bal{0, 0}},
		{"deposit over the deposit limit", bal{10, 0}, bal{0, 0}, 0, "DepositChecking(A, 100000001)", Result{Reason: ReasonDepositLimit}, bal{10, 0}, bal{0, 0}},
		{"deposit huge", bal{10, 0}, bal{0, 0}, 0, "DepositChecking(A, 9223372036854775807)", Result{Reason: ReasonDepositLimit}, bal{10, 0}, bal{0, 0}},

		{"savings in", bal{10, 0}, bal{10, 0}, 0, "TransactSavings(A, 4)", Result{OK: true, Value: 4}, bal{10, 4}, bal{10, 0}},
		{"savings out", bal{10, 5}, bal{10, 0}, 0, "TransactSavings(A, -5)", Result{OK: true, Value: -5}, bal{10, 0}, bal{10, 0}},
		{"savings short", bal{10, 5}, bal{10, 0}, 0, "TransactSavings(A, -6)", Result{Reason: ReasonInsufficientFunds}, bal{10, 5}, bal{10, 0}},
		{"savings min int", bal{10, 5}, bal{10, 0}, 0, "TransactSavings(A, -9223372036854775808)", Result{Reason: ReasonInsufficientFunds}, bal{10, 5}, bal{10, 0}},
		{"savings unknown", bal{10, 5}, bal{10, 0}, 0, "TransactSavings(Q, 1)", Result{Reason: "unknown account Q"}, bal{10, 5}, bal{10, 0}},
		{"savings sum over the limit", bal{max - 1, 0}, bal{0, 0}, 0, "TransactSavings(A, 2)", Result{Reason: ReasonBalanceLimit}, bal{max - 1, 0}, bal{0, 0}},
		{"savings over the limit", bal{0, max - 1}, bal{0, 0}, 0, "TransactSavings(A, 2)", Result{Reason: ReasonBalanceLimit}, bal{0, max - 1}, bal{0, 0}},
		{"savings over the deposit limit", bal{0, 0}, bal{0, 0}, 0, "TransactSavings(A, 9223372036854775807)", Result{Reason: ReasonDepositLimit}, bal{0, 0}, bal{0, 0}},

		{"amalgamate", bal{7, 5}, bal{10, 2}, 0, "Amalgamate(A, B)", Result{OK: true}, bal{0, 0}, bal{22, 2}},
		// A's owner may not move A's debt into B (B's owner or a teller may: authz_test.go).
		{"amalgamate overdrawn", bal{-4, 1}, bal{10, 2}, 0, "Amalgamate(A, B)", Result{Reason: ReasonNotAuthorized}, bal{-4, 1}, bal{10, 2}},
		{"amalgamate self", bal{7, 5}, bal{10, 0}, 0, "Amalgamate(A, A)", Result{OK: true}, bal{12, 0}, bal{10, 0}},
		{"amalgamate unknown from", bal{7, 5}, bal{10, 0}, 0, "Amalgamate(Z, A)", Result{Reason: "unknown account Z"}, bal{7, 5}, bal{10, 0}},
		{"amalgamate unknown to", bal{7, 5}, bal{10, 0}, 0, "Amalgamate(A, Z)", Result{Reason: "unknown account Z"}, bal{7, 5}, bal{10, 0}},
		{"amalgamate both unknown", bal{7, 5}, bal{10, 0}, 0, "Amalgamate(Y, Z)", Result{Reason: "unknown account Y"}, bal{7, 5}, bal{10, 0}},
		{"amalgamate over the limit", bal{max - 3, 0}, bal{4, 0}, 0, "Amalgamate(B, A)", Result{Reason: ReasonBalanceLimit}, bal{max - 3, 0}, bal{4, 0}},
		{"amalgamate debt", bal{-max + 3, 0}, bal{-4, 0}, 0, "Amalgamate(B, A)", Result{Reason: ReasonNotAuthorized}, bal{-max + 3, 0}, bal{-4, 0}},

		{"write check", bal{7, 5}, bal{10, 0}, 0, "WriteCheck(A, 10)", Result{OK: true, Value: -10}, bal{-3, 5}, bal{10, 0}},
		{"write check exact", bal{7, 5}, bal{10, 0}, 0, "WriteCheck(A, 12)", Result{OK: true, Value: -12}, bal{-5, 5}, bal{10, 0}},
		{"write check penalty", bal{7, 5}, bal{10, 0}, 0, "WriteCheck(A, 13)", Result{OK: true, Value: -14}, bal{-7, 5}, bal{10, 0}},
		{"write check zero", bal{7, 5}, bal{10, 0}, 0, "WriteCheck(A, 0)", Result{OK: true}, bal{7, 5}, bal{10, 0}},
		{"write check negative", bal{7, 5}, bal{10, 0}, 0, "WriteCheck(A, -1)", Result{Reason: ReasonNegativeAmount}, bal{7, 5}, bal{10, 0}},
		{"write check unknown", bal{7, 5}, bal{10, 0}, 0, "WriteCheck(Z, 1)", Result{Reason: "unknown account Z"}, bal{7, 5}, bal{10, 0}},
		{"write check huge", bal{0, 0}, bal{0, 0}, 0, "WriteCheck(A, 9223372036854775807)", Result{Reason: ReasonBalanceLimit}, bal{0, 0}, bal{0, 0}},
		{"write check past the overdraft limit", bal{-max, 0}, bal{0, 0}, 0, "WriteCheck(A, 5)", Result{Reason: ReasonBalanceLimit}, bal{-max, 0}, bal{0, 0}},
		{"write check to the overdraft limit", bal{0, 0}, bal{0, 0}, 0, "WriteCheck(A, 3999999999)", Result{OK: true, Value: -max}, bal{-max, 0}, bal{0, 0}},

		{"send", bal{10, 0}, bal{10, 0}, 0, "SendPayment(A, B, 3)", Result{OK: true}, bal{7, 0}, bal{13, 0}},
		{"send legacy", bal{10, 0}, bal{10, 0}, 0, "(A, B, 10)", Result{OK: true}, bal{0, 0}, bal{20, 0}},
		{"send zero", bal{10, 0}, bal{10, 0}, 0, "SendPayment(A, B, 0)", Result{OK: true}, bal{10, 0}, bal{10, 0}},
		{"send short", bal{10, 50}, bal{10, 0}, 0, "SendPayment(A, B, 11)", Result{Reason: ReasonInsufficientFunds}, bal{10, 50}, bal{10, 0}},
		{"send overdrawn", bal{-1, 0}, bal{10, 0}, 0, "SendPayment(A, B, 0)", Result{Reason: ReasonInsufficientFunds}, bal{-1, 0}, bal{10, 0}},
		{"send negative", bal{10, 0}, bal{10, 0}, 0, "SendPayment(A, B, -1)", Result{Reason: ReasonNegativeAmount}, bal{10, 0}, bal{10, 0}},
		{"send unknown sender", bal{10, 0}, bal{10, 0}, 0, "SendPayment(Z, Y, 1)", Result{Reason: "unknown account Z"}, bal{10, 0}, bal{10, 0}},
		{"send unknown receiver", bal{10, 0}, bal{10, 0}, 0, "SendPayment(A, Y, 1)", Result{Reason: "unknown account Y"}, bal{10, 0}, bal{10, 0}},
		{"send self", bal{10, 0}, bal{10, 0}, 0, "SendPayment(A, A, 4)", Result{OK: true}, bal{10, 0}, bal{10, 0}},
		{"send self short", bal{10, 0}, bal{10, 0}, 0, "SendPayment(A, A, 11)", Result{Reason: ReasonInsufficientFunds}, bal{10, 0}, bal{10, 0}},
		{"send over the limit", bal{10, 0}, bal{max - 5, 0}, 0, "SendPayment(A, B, 6)", Result{Reason: ReasonBalanceLimit}, bal{10, 0}, bal{max - 5, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bank := newTestBank(t, tt.a, tt.b, tt.n)
			before, total := bank.Digest(), bank.Total()
			op, err := ParseOp(tt.op)
			must(t, err)
			got := bank.Apply(op)
			if got != tt.want {
				t.Fatalf("%s = %+v, want %+v", tt.op, got, tt.want)
			}
			if a, b := balOf(bank, "A"), balOf(bank, "B"); a != tt.wantA || b != tt.wantB {
				t.Fatalf("after %s: A=%v B=%v, want A=%v B=%v", tt.op, a, b, tt.wantA, tt.wantB)
			}
			if want := total + moneyDelta(op, got); bank.Total() != want {
				t.Fatalf("Total %d, want %d", bank.Total(), want)
			}
			unchanged := tt.wantA == tt.a && tt.wantB == tt.b
			if unchanged != (bank.Digest() == before) {
				t.Fatalf("digest changed=%v, state changed=%v", bank.Digest() != before, !unchanged)
			}
		})
	}
}

// moneyDelta is the change of Total that a result reports: its value for a successful update.
func moneyDelta(op Op, res Result) int64 {
	if !res.OK || op.ReadOnly() {
		return 0
	}
	return res.Value
}

func TestExecuteAndQuery(t *testing.T) {
	bank := newTestBank(t, bal{10, 0}, bal{10, 0}, 0)
	send, _ := EncodeOp(Op{Kind: OpSendPayment, Account: "A", Dest: "B", Amount: 4})
	read, _ := EncodeOp(Op{Kind: OpBalance, Account: "B"})
	execute := func(op []byte) []byte { return bank.Execute("A", op) }
	tests := []struct {
		name string
		run  func([]byte) []byte
		op   []byte
		want Result
	}{
		{"query refuses an update", bank.Query, send, Result{Reason: ReasonNotReadOnly}},
		{"query malformed", bank.Query, []byte{0xff}, Result{Reason: ReasonMalformed}},
		{"execute malformed", execute, []byte{6, 1, 'A'}, Result{Reason: ReasonMalformed}},
		{"execute update", execute, send, Result{OK: true}},
		{"query read", bank.Query, read, Result{OK: true, Value: 14, Version: 1}},
		{"execute read", execute, read, Result{OK: true, Value: 14, Version: 1}},
	}
	for _, tt := range tests {
		got, err := DecodeResult(tt.run(tt.op))
		if err != nil || got != tt.want {
			t.Fatalf("%s: %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
	if a := balOf(bank, "A"); a != (bal{6, 0}) {
		t.Fatalf("A = %v after one payment of 4", a)
	}
}

func TestApplyRejectsInvalidOp(t *testing.T) {
	bank := newTestBank(t, bal{10, 0}, bal{10, 0}, 0)
	for _, op := range []Op{{}, {Kind: OpBalance, Account: "A", Amount: 3}, {Kind: 99, Account: "A"}} {
		if got := bank.Apply(op); got != (Result{Reason: ReasonMalformed}) {
			t.Errorf("Apply(%#v) = %+v", op, got)
		}
	}
}

func TestOpenRejects(t *testing.T) {
	bank := NewBank()
	must(t, bank.Open("A", 10, 0))
	bad := []struct {
		name      string
		c, s      int64
		wantError string
	}{
		{"A", 1, 0, "already exists"},
		{"", 1, 0, "empty account name"},
		{"a b", 1, 0, "only letters"},
		{"B", 0, -1, "negative savings"},
		{"B", math.MaxInt64, 1, ReasonBalanceLimit},
		{"B", MaxBalance + 1, 0, ReasonBalanceLimit},
		{"B", MaxBalance, 1, ReasonBalanceLimit},
		{"B", -MaxBalance - 1, 0, ReasonBalanceLimit},
		{"B", 0, MaxBalance + 1, ReasonBalanceLimit},
	}
	for _, tt := range bad {
		err := bank.Open(tt.name, tt.c, tt.s)
		if err == nil || !strings.Contains(err.Error(), tt.wantError) {
			t.Errorf("Open(%q, %d, %d) = %v, want %q", tt.name, tt.c, tt.s, err, tt.wantError)
		}
	}
	if bank.Len() != 1 || bank.Total() != 10 {
		t.Fatalf("failed opens changed the bank: %d accounts, total %d", bank.Len(), bank.Total())
	}
}

func TestAccountsSortedAndBalance(t *testing.T) {
	bank := NewBank()
	for _, n := range []string{"b", "B", "10", "2", "A"} {
		must(t, bank.Open(n, 10, 1))
	}
	want := []string{"10", "2", "A", "B", "b"}
	if got := bank.Accounts(); !slices.Equal(got, want) {
		t.Fatalf("Accounts() = %v, want %v", got, want)
	}
	must(t, bank.Open("0", 1, 0))
	if got := bank.Accounts(); got[0] != "0" || len(got) != 6 {
		t.Fatalf("Accounts() after Open = %v", got)
	}
	if v, ok := bank.Balance("A"); !ok || v != 11 {
		t.Fatalf("Balance(A) = %d, %v", v, ok)
	}
	if _, ok := bank.Balance("Z"); ok || bank.Has("Z") {
		t.Fatal("unknown account reported as existing")
	}
	if bank.Total() != 56 {
		t.Fatalf("Total = %d, want 56", bank.Total())
	}
}
