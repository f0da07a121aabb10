package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/runner"
	"github.com/bftbank/pbft/smallbank"
)

// TestOfficialFiles runs both official course files through real replica processes and checks
// every set against executing its transactions one by one in file order: a set with 2f+1 honest
// live replicas commits everything, every honest live replica (including those kept in the dark)
// holds the expected balances, and reads return the expected values; a set without such a
// quorum commits nothing and leaves every balance at 10.
func TestOfficialFiles(t *testing.T) {
	bin := pbftBinary(t)
	for _, file := range []string{"official-testcases.csv", "official-demo.csv"} {
		t.Run(file, func(t *testing.T) {
			rep := runScenarioFile(t, bin, filepath.Join("..", "..", "tests", file), 120*time.Second)
			for _, s := range rep.Sets {
				checkOfficialSet(t, s)
			}
		})
	}
}

func checkOfficialSet(t *testing.T, s runner.SetReport) {
	t.Helper()
	if !s.Linearizable {
		t.Errorf("set %s: the clients' history is not linearizable (%s)", s.Set, s.History)
	}
	honest := map[string]bool{}
	for _, r := range s.Live {
		honest[r] = !isIn(r, s.Byzantine)
	}
	n := 0
	for _, h := range honest {
		if h {
			n++
		}
	}
	bank := smallbank.NewBank()
	for c := 'A'; c <= 'J'; c++ {
		if err := bank.Open(string(c), 10, 0); err != nil {
			t.Fatal(err)
		}
	}
	if n < 5 {
		for _, tx := range s.Transactions {
			if tx.Outcome == "committed" && !tx.ReadOnly {
				t.Errorf("set %s: %s committed with only %d honest live replicas", s.Set, tx.Text, n)
			}
		}
		for replica, bal := range s.Balances {
			for acct, v := range bal {
				if v != 10 {
					t.Errorf("set %s: %s has %s=%d, want 10", s.Set, replica, acct, v)
				}
			}
		}
		return
	}
	for _, tx := range s.Transactions {
		op, err := smallbank.ParseOp(tx.Text)
		if err != nil {
			t.Fatalf("set %s: %s: %v", s.Set, tx.Text, err)
		}
		want := bank.Apply(op)
		switch {
		case tx.Outcome != "committed":
			t.Errorf("set %s line %d: %s %s", s.Set, tx.Line, tx.Text, tx.Outcome)
		case tx.Result != want.String():
			t.Errorf("set %s line %d: %s gave %q, sequential execution gives %q", s.Set, tx.Line, tx.Text, tx.Result, want.String())
		case op.ReadOnly() && (tx.Value == nil || *tx.Value != want.Value):
			t.Errorf("set %s line %d: read %s returned %v, want %d", s.Set, tx.Line, tx.Text, tx.Value, want.Value)
		}
	}
	for replica, h := range honest {
		if !h {
			continue
		}
		for _, acct := range bank.Accounts() {
			want, _ := bank.Balance(acct)
			if got := s.Balances[replica][acct]; got != want {
				t.Errorf("set %s: honest %s has %s=%d, sequential execution gives %d", s.Set, replica, acct, got, want)
			}
		}
	}
}
