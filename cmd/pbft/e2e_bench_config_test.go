package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft/cluster"
)

// benchCheck is the part of results.json this test reads.
type benchCheck struct {
	Committed uint64 `json:"committed"`
	Lin       struct {
		Result  string `json:"result"`
		Skipped string `json:"skipped"`
	} `json:"linearizability"`
	Consistent  bool `json:"consistent"`
	Consistency struct {
		DigestsAgree   bool             `json:"digests_agree"`
		MoneyInitial   int64            `json:"money_initial"`
		MoneyExpected  int64            `json:"money_expected"`
		MoneyReplicas  map[string]int64 `json:"money_replicas"`
		MoneyUnchecked string           `json:"money_unchecked"`
		Replicas       map[string]struct {
			Checked bool   `json:"checked"`
			Why     string `json:"why"`
		} `json:"replicas"`
		Detail string `json:"detail"`
	} `json:"consistency"`
}

// TestEndToEndBenchAgainstARunningCluster starts a cluster with pbft cluster up and runs
// pbft bench --config against it twice: the final check goes through every replica's admin
// /status (slot, digest and money), and with n7 killed before the second run it passes with
// n7 unchecked, the money before the run read from the replicas rather than the configuration
// (and the linearizability check, which needs the balances at the start, skipped).
func TestEndToEndBenchAgainstARunningCluster(t *testing.T) {
	bin := pbftBinary(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "cluster.yaml")
	tellers := "c0,c1,c2,c3,c4,c5,c6,c7"
	pbft := func(timeout time.Duration, args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		return exitStatus(runWithin(cmd, timeout)), out.String()
	}
	if code, out := pbft(30*time.Second, "keygen", "--config", cfgPath, "--out", filepath.Join(dir, "keys"),
		"--base-port", itoa(freePorts(t, 7)), "--tellers", tellers); code != 0 {
		t.Fatalf("keygen: status %d\n%s", code, out)
	}
	cfg, err := cluster.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.LoadAccounts = &cluster.AccountLoad{Count: 1000, Min: 10000, Max: 50000, Seed: 1}
	if err := cfg.Save(cfgPath); err != nil {
		t.Fatal(err)
	}
	if code, out := pbft(60*time.Second, "cluster", "up", "--config", cfgPath); code != 0 {
		t.Fatalf("cluster up: status %d\n%s", code, out)
	}
	pids := readPids(t, dir)
	t.Cleanup(func() { // whatever happened, no replica outlives the test
		for _, pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})

	res, out := runBenchConfig(t, pbft, cfgPath, filepath.Join(dir, "out1"))
	c := res.Consistency
	if !res.Consistent || !c.DigestsAgree || res.Committed == 0 || c.MoneyUnchecked != "" || len(c.MoneyReplicas) != 7 ||
		!strings.Contains(out, "check       consistent: 7 of 7 replicas agree") || res.Lin.Result != "Ok" {
		t.Fatalf("first run: %+v\n%s", res, out)
	}

	syscall.Kill(pids[6], syscall.SIGKILL) // n7
	waitFor(t, "n7 stopped", func() bool { return !processRuns(pids[6]) })
	res2, out := runBenchConfig(t, pbft, cfgPath, filepath.Join(dir, "out2"))
	c2 := res2.Consistency
	if !res2.Consistent || c2.Replicas["n7"].Checked || !strings.Contains(c2.Replicas["n7"].Why, "connection refused") ||
		len(c2.MoneyReplicas) != 6 || c2.MoneyInitial != c.MoneyExpected || !strings.Contains(c2.Detail, "6 of 7 replicas agree") ||
		res2.Lin.Result != "skipped" || !strings.Contains(res2.Lin.Skipped, "slots before the run") {
		t.Errorf("second run (n7 down): %+v; want consistent, n7 unchecked, money before the run %d (the first run's end)\n%s",
			res2, c.MoneyExpected, out)
	}
	if code, out := pbft(60*time.Second, "cluster", "down", "--config", cfgPath); code != 0 {
		t.Errorf("cluster down: status %d\n%s", code, out)
	}
}

// runBenchConfig runs a short pbft bench --config and reads its results.json; the run must
// exit 0.
func runBenchConfig(t *testing.T, pbft func(time.Duration, ...string) (int, string), cfgPath, out string) (benchCheck, string) {
	t.Helper()
	code, logs := pbft(120*time.Second, "bench", "--config", cfgPath, "--duration", "3s", "--warmup", "1s",
		"--clients", "8", "--out", out)
	var res benchCheck
	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil || json.Unmarshal(b, &res) != nil {
		t.Fatalf("results.json: %v (status %d)\n%s", err, code, logs)
	}
	if code != 0 {
		t.Errorf("pbft bench --config: status %d, want 0\n%s", code, logs)
	}
	return res, logs
}

// readPids reads the pid files pbft cluster up wrote for n1..n7.
func readPids(t *testing.T, dir string) []int {
	t.Helper()
	var out []int
	for id := 1; id <= 7; id++ {
		b, err := os.ReadFile(filepath.Join(dir, "run", "n"+itoa(id)+".pid"))
		if err != nil {
			t.Fatalf("pid file of n%d: %v", id, err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("pid file of n%d: %v", id, err)
		}
		out = append(out, pid)
	}
	return out
}
