package lincheck

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/anishathalye/porcupine"

	"github.com/bftbank/pbft/smallbank"
)

// scenarioBank: accounts A..J with checking 10, savings 0 (docs/protocol.md, "Application state and
// authorization").
var scenarioBank = Uniform(func(n string) bool { return len(n) == 1 && n[0] >= 'A' && n[0] <= 'J' }, 10, 0)

func op(client int, text string, call, ret int64, res smallbank.Result) Op {
	o, err := smallbank.ParseOp(text)
	if err != nil {
		panic(err)
	}
	return Op{Client: client, Input: o, Call: call, Return: ret, Result: res, Done: true}
}

func ok(v int64) smallbank.Result { return smallbank.Result{OK: true, Value: v} }

func pending(o Op) Op { o.Done = false; return o }

func TestCheck(t *testing.T) {
	deposit := op(0, "DepositChecking(A, 5)", 0, 10, ok(5))
	cases := []struct {
		name string
		ops  []Op
		want porcupine.CheckResult
	}{
		{"read after write sees it", []Op{deposit, op(1, "(A)", 11, 12, ok(15))}, porcupine.Ok},
		{"stale read after write", []Op{deposit, op(1, "(A)", 11, 12, ok(10))}, porcupine.Illegal},
		{"concurrent read may miss it", []Op{deposit, op(1, "(A)", 5, 12, ok(10))}, porcupine.Ok},
		{"new then old", []Op{deposit, op(1, "(A)", 1, 2, ok(15)), op(2, "(A)", 3, 4, ok(10))}, porcupine.Illegal},
		{"pending write seen", []Op{pending(deposit), op(1, "(A)", 11, 12, ok(15))}, porcupine.Ok},
		{"pending write not seen", []Op{pending(deposit), op(1, "(A)", 11, 12, ok(10))}, porcupine.Ok},
		{"transfer links accounts", []Op{op(0, "(A, B, 4)", 0, 1, ok(0)), op(1, "(B)", 2, 3, ok(10))}, porcupine.Illegal},
		{"failure as observed", []Op{op(0, "(A, B, 11)", 0, 1, smallbank.Result{Reason: smallbank.ReasonInsufficientFunds}),
			op(1, "(A)", 2, 3, ok(10))}, porcupine.Ok},
		{"wrong failure", []Op{op(0, "(A, B, 9)", 0, 1, smallbank.Result{Reason: smallbank.ReasonInsufficientFunds})}, porcupine.Illegal},
		{"refusal is static", []Op{op(0, "(A, B, 9)", 0, 1, smallbank.Result{Reason: smallbank.ReasonNotAuthorized}),
			op(1, "(A)", 2, 3, ok(10))}, porcupine.Ok},
		{"unknown account", []Op{op(0, "(Z)", 0, 1, smallbank.Result{Reason: "unknown account Z"})}, porcupine.Ok},
		{"write check overdraft", []Op{op(0, "WriteCheck(A, 11)", 0, 1, ok(-12)), op(1, "(A)", 2, 3, ok(-2))}, porcupine.Ok},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := Check(c.ops, scenarioBank, 0)
			if res.Outcome != c.want {
				t.Fatalf("%s, want %s", res, c.want)
			}
			if (res.Outcome == porcupine.Illegal) != (len(res.Failing) > 0) {
				t.Fatalf("failing components %v with outcome %s", res.Failing, res.Outcome)
			}
		})
	}
}

func TestPartitionsByConnectedAccounts(t *testing.T) {
	ops := []Op{op(0, "(A, B, 1)", 0, 1, ok(0)), op(1, "(C)", 0, 1, ok(10)), op(2, "(B, D, 1)", 0, 1, ok(0)),
		op(3, "(E)", 0, 1, ok(10)), op(4, "Amalgamate(E, C)", 2, 3, ok(0))}
	res := Check(ops, scenarioBank, 0)
	if res.Partitions != 2 || res.Largest != 3 || !res.Linearizable() {
		t.Fatalf("got %s, want 2 components, largest 3", res)
	}
}

func TestVisualizeFailingComponentsOnly(t *testing.T) {
	ops := []Op{op(0, "DepositChecking(A, 5)", 0, 1, ok(5)), op(1, "(A)", 2, 3, ok(10)), op(2, "(B)", 0, 1, ok(10))}
	res := Check(ops, scenarioBank, 0)
	if res.Linearizable() || len(res.Failing) != 2 {
		t.Fatalf("got %s with %d failing operations, want the 2 of account A", res, len(res.Failing))
	}
	path := filepath.Join(t.TempDir(), "history.html")
	if err := res.Visualize(path); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() < 1000 {
		t.Fatalf("visualization %v, %v", st, err)
	}
}

// A window drops the operations invoked after it; a response after the first dropped
// invocation becomes unknown, since the dropped operation may have taken effect before it.
func TestLogWindow(t *testing.T) {
	l := NewLog(2)
	a := l.Begin(0, mustOp("DepositChecking(A, 5)"), 0)
	b := l.Begin(1, mustOp("(A)"), 1)
	if c := l.Begin(2, mustOp("DepositChecking(A, 7)"), 2); c != -1 || !l.Full() {
		t.Fatalf("third operation got slot %d in a log of 2", c)
	}
	l.End(a, 1, ok(5))
	l.End(b, 3, ok(22)) // saw the dropped deposit
	ops := l.Ops()
	if len(ops) != 2 || !ops[0].Done || ops[1].Done {
		t.Fatalf("window %+v: want the first done, the second unknown", ops)
	}
	if res := Check(ops, scenarioBank, 0); !res.Linearizable() {
		t.Fatalf("window: %s", res)
	}
}

func mustOp(text string) smallbank.Op {
	o, err := smallbank.ParseOp(text)
	if err != nil {
		panic(err)
	}
	return o
}
