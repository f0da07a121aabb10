package workload

import (
	"bytes"
	"testing"

	"github.com/bftbank/pbft/scenario"
	"github.com/bftbank/pbft/smallbank"
)

func TestGeneratedScenarioParses(t *testing.T) {
	var buf bytes.Buffer
	spec := ScenarioSpec{Sets: 8, Txns: 30, Accounts: 30, MaxAmt: 5, Faults: true, Seed: 3}
	if err := WriteScenario(&buf, spec); err != nil {
		t.Fatal(err)
	}
	f, err := scenario.Parse(bytes.NewReader(buf.Bytes()), "gen.csv")
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(f.Sets) != 8 {
		t.Fatalf("%d sets, want 8", len(f.Sets))
	}
	for i, s := range f.Sets {
		if len(s.Txns) != 30 {
			t.Fatalf("set %d: %d transactions", i+1, len(s.Txns))
		}
		for _, txn := range s.Txns {
			for _, op := range txn.Ops {
				if _, err := smallbank.ParseOp(op); err != nil {
					t.Fatalf("set %d line %d: %q: %v", i+1, txn.Line, op, err)
				}
			}
		}
	}
	if got := len(f.Sets[1].Live); got != 6 {
		t.Errorf("set 2 (a replica down): %d live", got)
	}
	if len(f.Sets[2].Byzantine) != 1 || len(f.Sets[2].Attacks) != 1 {
		t.Errorf("set 3: byzantine %v attacks %v", f.Sets[2].Byzantine, f.Sets[2].Attacks)
	}
}

func TestScenarioIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	spec := ScenarioSpec{Sets: 2, Txns: 10, Accounts: 10, MaxAmt: 5, Seed: 9}
	if err := WriteScenario(&a, spec); err != nil {
		t.Fatal(err)
	}
	if err := WriteScenario(&b, spec); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Fatal("same seed, different files")
	}
	if err := WriteScenario(&a, ScenarioSpec{Sets: 1, Txns: 1, Accounts: 1, MaxAmt: 1}); err == nil {
		t.Fatal("one account accepted")
	}
}
