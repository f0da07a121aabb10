package smallbank

import (
	"strings"
	"testing"
)

func TestParseOp(t *testing.T) {
	tests := []struct {
		text string
		want Op
	}{
		{"SendPayment(A, B, 3)", Op{Kind: OpSendPayment, Account: "A", Dest: "B", Amount: 3}},
		{"DepositChecking(C,25)", Op{Kind: OpDepositChecking, Account: "C", Amount: 25}},
		{"Balance(A)", Op{Kind: OpBalance, Account: "A"}},
		{"Amalgamate(A,B)", Op{Kind: OpAmalgamate, Account: "A", Dest: "B"}},
		{"WriteCheck(A, 5)", Op{Kind: OpWriteCheck, Account: "A", Amount: 5}},
		{"TransactSavings(A,-3)", Op{Kind: OpTransactSavings, Account: "A", Amount: -3}},
		{"TransactSavings(A, - 3)", Op{Kind: OpTransactSavings, Account: "A", Amount: -3}},
		{"DepositChecking(A, +7)", Op{Kind: OpDepositChecking, Account: "A", Amount: 7}},
		{"(A, B, 1)", Op{Kind: OpSendPayment, Account: "A", Dest: "B", Amount: 1}},
		{"(E)", Op{Kind: OpBalance, Account: "E"}},
		{"  ( 1234 ,  99 , 10 )  ", Op{Kind: OpSendPayment, Account: "1234", Dest: "99", Amount: 10}},
		{`"(A, B, 1)"`, Op{Kind: OpSendPayment, Account: "A", Dest: "B", Amount: 1}},
		{"sendpayment ( a , b , 2 )", Op{Kind: OpSendPayment, Account: "a", Dest: "b", Amount: 2}},
		{"BALANCE(x)", Op{Kind: OpBalance, Account: "x"}},
		{"Transfer(A,B,4)", Op{Kind: OpSendPayment, Account: "A", Dest: "B", Amount: 4}},
		{"(DepositChecking(C,25))", Op{Kind: OpDepositChecking, Account: "C", Amount: 25}},
		{"SendPayment(A, B, -2)", Op{Kind: OpSendPayment, Account: "A", Dest: "B", Amount: -2}},
	}
	for _, tt := range tests {
		got, err := ParseOp(tt.text)
		if err != nil || got != tt.want {
			t.Errorf("ParseOp(%q) = %v, %v; want %v", tt.text, got, err, tt.want)
		}
	}
}

func TestParseOpErrors(t *testing.T) {
	tests := []struct{ text, wantErr string }{
		{"", "want Name(arguments)"},
		{"Balance A", "want Name(arguments)"},
		{"Balance(A", "want Name(arguments)"},
		{"Foo(A)", `unknown operation "Foo"`},
		{"Balance()", "empty account name"},
		{"Balance(A, B)", "Balance takes 1 arguments, got 2"},
		{"SendPayment(A, B)", "SendPayment takes 3 arguments, got 2"},
		{"DepositChecking(A, x)", `amount "x" is not an integer`},
		{"DepositChecking(A, 1.5)", "not an integer"},
		{"DepositChecking(A, 99999999999999999999x)", "not an integer"},
		{"DepositChecking(A, --3)", "not an integer"},
		{"DepositChecking(A, -)", "not an integer"},
		{"(A, B)", "want (account) or (from, to, amount), got 2 arguments"},
		{"(A B, C, 1)", "only letters, digits"},
		{"Balance(A))", "unbalanced parentheses"},
		{"((((((Balance(A)))))))", "too many parentheses"},
		{"(Balance(A), Balance(B))", "unbalanced parentheses"},
	}
	for _, tt := range tests {
		_, err := ParseOp(tt.text)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseOp(%q) error = %v; want it to contain %q", tt.text, err, tt.wantErr)
		}
	}
}

func TestOpStringParsesBack(t *testing.T) {
	want := map[OpKind]string{
		OpBalance:         "Balance(A)",
		OpDepositChecking: "DepositChecking(C, 25)",
		OpTransactSavings: "TransactSavings(A, -3)",
		OpAmalgamate:      "Amalgamate(A, B)",
		OpWriteCheck:      "WriteCheck(1234, 5)",
		OpSendPayment:     "SendPayment(A, B, 3)",
	}
	for _, op := range sampleOps[:6] {
		if s := op.String(); s != want[op.Kind] {
			t.Errorf("String() = %q, want %q", s, want[op.Kind])
		}
		if back, err := ParseOp(op.String()); err != nil || back != op {
			t.Errorf("ParseOp(%q) = %v, %v", op.String(), back, err)
		}
	}
}

func TestParseOps(t *testing.T) {
	ops, err := ParseOps("(DepositChecking(C,25)),(Balance(A))")
	if err != nil || len(ops) != 2 || ops[0].Kind != OpDepositChecking || ops[1] != (Op{Kind: OpBalance, Account: "A"}) {
		t.Fatalf("ParseOps = %v, %v", ops, err)
	}
	ops, err = ParseOps(" (A, B, 1) ")
	if err != nil || len(ops) != 1 || ops[0].Kind != OpSendPayment {
		t.Fatalf("ParseOps legacy = %v, %v", ops, err)
	}
	for _, bad := range []string{"", "(A, B, 1),", "Balance(A)),(B", "Balance(A"} {
		if ops, err := ParseOps(bad); err == nil {
			t.Errorf("ParseOps(%q) = %v, want an error", bad, ops)
		}
	}
}

// TestHugeAmountsFailLikeTheExactAmount: an amount beyond int64 parses (as the nearest int64)
// and the operation fails exactly as it would with the exact amount, changing nothing.
func TestHugeAmountsFailLikeTheExactAmount(t *testing.T) {
	const huge = "99999999999999999999999"
	for _, tc := range []struct{ text, reason string }{
		{"(A, B, " + huge + ")", ReasonInsufficientFunds},
		{"SendPayment(A, B, -" + huge + ")", ReasonNegativeAmount},
		{"DepositChecking(A, " + huge + ")", ReasonDepositLimit},
		{"DepositChecking(A, -" + huge + ")", ReasonNegativeAmount},
		{"TransactSavings(A, " + huge + ")", ReasonDepositLimit},
		{"TransactSavings(A, -" + huge + ")", ReasonInsufficientFunds},
		{"WriteCheck(A, " + huge + ")", ReasonBalanceLimit},
		{"WriteCheck(A, -" + huge + ")", ReasonNegativeAmount},
	} {
		op, err := ParseOp(tc.text)
		if err != nil {
			t.Errorf("ParseOp(%q): %v", tc.text, err)
			continue
		}
		b := NewBank()
		b.Open("A", 10, 5)
		b.Open("B", 10, 0)
		before := b.Digest()
		if res := b.Apply(op); res.OK || res.Reason != tc.reason {
			t.Errorf("%s: %v, want %q", tc.text, res, tc.reason)
		}
		if b.Digest() != before {
			t.Errorf("%s changed the bank", tc.text)
		}
	}
}
