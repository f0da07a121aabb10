package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/runner"
)

// The end-to-end tests run the real binary: replicas are separate processes on loopback.

var (
	buildOnce sync.Once
	buildDir  string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// pbftBinary builds the pbft binary once per test run.
func pbftBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds the binary and starts replica processes")
	}
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "pbft-e2e-*"); buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "pbft")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			t.Logf("go build: %s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building pbft: %v", buildErr)
	}
	return binPath
}

const e2eScenario = `Set Number,Transactions,Live,Byzantine,Attack
1,"(A, B, 1)","[n1, n2, n3, n4, n5, n6, n7]",[],[]
,"(B, C, 5)",,,
,(DepositChecking(D, 7)),(Balance(D)),,,
,(C),,,
2,"(A, B, 3)","[n2, n3, n4, n5, n6, n7]",[],[]
,"(E, F, 20)",,,
,(B),,,
`

// runScenarioText runs a scenario file of the given text with the real binary, without
// prompts, and returns its report and output; it fails the test unless the run ends within
// limit with a report of sets sets.
func runScenarioText(t *testing.T, text string, sets int, limit time.Duration) (runner.Report, *bytes.Buffer) {
	t.Helper()
	bin := pbftBinary(t)
	dir := t.TempDir()
	csv, report := filepath.Join(dir, "s.csv"), filepath.Join(dir, "report.json")
	if err := os.WriteFile(csv, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--test", csv, "--non-interactive", "--report", report, "--base-port", itoa(freePorts(t, 7)))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := runWithin(cmd, limit); err != nil {
		t.Fatalf("pbft --test: %v\n%s", err, out.String())
	}
	var rep runner.Report
	b, err := os.ReadFile(report)
	if err != nil || json.Unmarshal(b, &rep) != nil || len(rep.Sets) != sets {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	return rep, &out
}

func TestEndToEndScenario(t *testing.T) {
	rep, out := runScenarioText(t, e2eScenario, 2, 60*time.Second)
	// Set 1: A=9 B=6 C=15 D=17, every replica. Set 2: n1 down (the leader of view 1), so a view
	// change happens; A=7 B=13, E fails for lack of funds; n1 keeps the initial balances.
	checkBalances(t, rep.Sets[0], map[string]int64{"A": 9, "B": 6, "C": 15, "D": 17, "E": 10}, nil)
	checkBalances(t, rep.Sets[1], map[string]int64{"A": 7, "B": 13, "C": 10, "E": 10, "F": 10}, []string{"n1"})
	reads := map[string]int64{}
	for _, s := range rep.Sets {
		for _, tx := range s.Transactions {
			if tx.Outcome != "committed" {
				t.Errorf("set %s: %+v did not commit\n%s", s.Set, tx, out.String())
			}
			if tx.Value != nil {
				reads[s.Set+tx.Text] = *tx.Value
			}
		}
	}
	if reads["1Balance(D)"] != 17 || reads["1(C)"] != 15 || reads["2(B)"] != 13 {
		t.Errorf("reads %v", reads)
	}
	if tx := rep.Sets[1].Transactions[1]; tx.Result != "insufficient funds" {
		t.Errorf("(E, F, 20): %+v, want insufficient funds", tx)
	}
	if rep.Sets[1].View < 2 || rep.Sets[1].Status["1"]["n1"] != "X" || rep.Sets[1].Status["1"]["n2"] != "E" {
		t.Errorf("set 2: view %d, status %v", rep.Sets[1].View, rep.Sets[1].Status)
	}
}

// checkBalances checks every replica's balances; down replicas must hold the initial ones.
func checkBalances(t *testing.T, s runner.SetReport, want map[string]int64, down []string) {
	t.Helper()
	if len(s.Balances) != 7 {
		t.Errorf("set %s: balances of %d replicas, want 7", s.Set, len(s.Balances))
	}
	for replica, b := range s.Balances {
		for acct, w := range want {
			if isIn(replica, down) {
				w = 10
			}
			if b[acct] != w {
				t.Errorf("set %s: %s has %s=%d, want %d", s.Set, replica, acct, b[acct], w)
			}
		}
	}
}

func isIn(s string, list []string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestEndToEndNodesAndClient(t *testing.T) {
	bin := pbftBinary(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir)
	for id := 1; id <= 7; id++ {
		startNodeProcess(t, bin, []string{"node", "--config", cfg, "--id", "n" + itoa(id)})
	}
	waitListening(t, cfg)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"transfer", "A", "B", "3"}, 0, "SendPayment(A, B, 3): committed, ok"},
		{[]string{"balance", "B"}, 0, "Balance(B) = 13"},
		{[]string{"SendPayment(B, C, 100)"}, 2, "failed: insufficient funds"},
		{[]string{"--id", "C", "balance", "A"}, 0, "Balance(A) = 7"},
		{[]string{"--json", "balance", "C"}, 0, `{"operation":"Balance(C)","outcome":"committed","result":"ok","value":10,"read_only":true,`},
		{[]string{"--json", "transfer", "C", "D", "4"}, 0, `"outcome":"committed","result":"ok","seq":`},
		{[]string{"--json", "transfer", "C", "D", "100"}, 2, `"result":"insufficient funds"`},
		{[]string{"transfer", "C", "D", "-1"}, 1, "negative amount -1"},
	} {
		cmd := exec.Command(bin, append([]string{"client", "--config", cfg}, tc.args...)...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := runWithin(cmd, 30*time.Second)
		if code := exitStatus(err); code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("pbft client %s: status %d (%v), output %q; want %d and %q", strings.Join(tc.args, " "), code, err, out.String(), tc.code, tc.want)
		}
	}
}

// runWithin runs cmd and kills it if it outlives d.
func runWithin(cmd *exec.Cmd, d time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	return waitWithin(cmd, d)
}

func waitWithin(cmd *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return os.ErrDeadlineExceeded
	}
}

func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}
