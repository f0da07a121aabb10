package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/runner"
)

// TestEndToEndGeneratedSmallBank runs the two scenario files that `pbft smallbank gen` wrote
// into tests/ (one honest set; seven sets cycling through a replica down and every attack)
// and checks that every transaction committed and every live replica ends in the state of
// sequential execution.
func TestEndToEndGeneratedSmallBank(t *testing.T) {
	bin := pbftBinary(t)
	for _, name := range []string{"smallbank1.csv", "smallbank2.csv"} {
		t.Run(name, func(t *testing.T) {
			rep := runScenarioFile(t, bin, filepath.Join("..", "..", "tests", name), 90*time.Second)
			if len(rep.Sets) == 0 {
				t.Fatal("report has no sets")
			}
			for _, s := range rep.Sets {
				checkGeneratedSet(t, s)
			}
		})
	}
}

// runScenarioFile runs `pbft --test path --non-interactive --report` on free ports and returns
// the report.
func runScenarioFile(t *testing.T, bin, path string, timeout time.Duration) runner.Report {
	t.Helper()
	report := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(bin, "--test", path, "--non-interactive", "--report", report, "--base-port", itoa(freePorts(t, 7)))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := runWithin(cmd, timeout); err != nil {
		t.Fatalf("pbft --test %s: %v\n%s", path, err, out.String())
	}
	t.Logf("%s: %.1f s wall time", filepath.Base(path), time.Since(start).Seconds())
	var rep runner.Report
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	return rep
}

func checkGeneratedSet(t *testing.T, s runner.SetReport) {
	t.Helper()
	if !s.Converged {
		t.Errorf("set %s: live replicas did not converge", s.Set)
	}
	for _, tx := range s.Transactions {
		if tx.Outcome != "committed" {
			t.Errorf("set %s line %d: %s %s", s.Set, tx.Line, tx.Text, tx.Outcome)
		}
	}
	for _, replica := range s.Live {
		for acct, want := range s.Expected {
			if got := s.Balances[replica][acct]; got != want {
				t.Errorf("set %s: %s has %s=%d, sequential execution gives %d", s.Set, replica, acct, got, want)
			}
		}
	}
}
