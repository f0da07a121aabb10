package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// chaosResult is the part of a chaos run's results.json the tests read.
type chaosResult struct {
	Passed       bool    `json:"passed"`
	Verdict      string  `json:"verdict"`
	Kills        int     `json:"kills"`
	Faults       int     `json:"faults"`
	AllKills     int     `json:"all_kills"`
	Restarts     int     `json:"restarts"`
	Cycles       int     `json:"cycles"`
	AckedInChaos int     `json:"acked_in_chaos"`
	MaxStallMS   float64 `json:"max_stall_ms"`
	Divergent    int     `json:"divergent"`
	DigestsAgree bool    `json:"digests_agree"`
	Ledgers      []struct {
		Replica string `json:"replica"`
		Valid   bool   `json:"valid"`
	} `json:"ledgers"`
	Accounting struct {
		Acknowledged int `json:"acknowledged"`
		Lost         int `json:"lost"`
		Duplicated   int `json:"duplicated"`
		Unexplained  int `json:"unexplained"`
	} `json:"accounting"`
}

// runChaosBench runs pbft bench --chaos with args and returns its results and output; the
// exit status must say whether the check passed.
func runChaosBench(t *testing.T, args ...string) (chaosResult, string) {
	t.Helper()
	bin := pbftBinary(t)
	out := t.TempDir()
	args = append([]string{"bench", "--clients", "8", "--warmup", "1s", "--out", out, "--base-port", itoa(freePorts(t, 7))}, args...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir()) // a failed run keeps its work directory there
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	err := runWithin(cmd, 120*time.Second)
	var res chaosResult
	b, rerr := os.ReadFile(filepath.Join(out, "results.json"))
	if rerr != nil || json.Unmarshal(b, &res) != nil {
		t.Fatalf("pbft bench: %v; results.json: %v\n%s", err, rerr, logs.String())
	}
	if (err == nil) != res.Passed {
		t.Errorf("pbft bench: %v, but results.json says passed=%v", err, res.Passed)
	}
	t.Logf("%d kills (%d of all seven), %d acknowledged: %s", res.Kills, res.AllKills, res.Accounting.Acknowledged, res.Verdict)
	return res, logs.String()
}

// TestChaosRandomKills kills random subsets of the seven replicas (every third round all of
// them) with SIGKILL for 8 s under load and restarts them from their data directories: every
// acknowledged transaction must be in the final state exactly once, and the replicas agree.
func TestChaosRandomKills(t *testing.T) {
	res, logs := runChaosBench(t, "--chaos", "random", "--duration", "8s",
		"--chaos-interval", "200ms", "--chaos-downtime", "300ms", "--chaos-all-every", "3")
	if !res.Passed || res.Accounting.Lost != 0 || res.Accounting.Duplicated != 0 || res.Accounting.Unexplained != 0 ||
		res.Divergent != 0 || !res.DigestsAgree {
		t.Fatalf("chaos check: %s\n%s", res.Verdict, logs)
	}
	if res.Kills < 24 || res.AllKills < 2 || res.Restarts != res.Kills || res.Accounting.Acknowledged == 0 {
		t.Errorf("%d kills (%d of all seven), %d restarts, %d acknowledged; want at least 24 kills, 2 of all seven\n%s",
			res.Kills, res.AllKills, res.Restarts, res.Accounting.Acknowledged, logs)
	}
	if len(res.Ledgers) != 7 {
		t.Errorf("%d ledgers verified after the run, want all 7: %+v", len(res.Ledgers), res.Ledgers)
	}
}

// TestChaosRollingRestart kills and restarts n1..n7 one after another, each caught up before
// the next: the cluster keeps serving (no second without an acknowledgement) and stays safe.
func TestChaosRollingRestart(t *testing.T) {
	res, logs := runChaosBench(t, "--chaos", "rolling", "--duration", "8s", "--chaos-interval", "200ms")
	if !res.Passed {
		t.Fatalf("chaos check: %s\n%s", res.Verdict, logs)
	}
	if res.Kills < 7 || res.AckedInChaos == 0 || res.MaxStallMS > 3000 {
		t.Errorf("%d restarts, %d acknowledged during the restarts, longest stall %.0f ms; want a full cycle of 7 and no stall over 3 s\n%s",
			res.Kills, res.AckedInChaos, res.MaxStallMS, logs)
	}
}

// TestChaosCheckFailsWithoutDurability: the same chaos with replicas that keep nothing on disk
// (--ephemeral) loses acknowledged transactions, and the check must say so.
func TestChaosCheckFailsWithoutDurability(t *testing.T) {
	res, _ := runChaosBench(t, "--chaos", "random", "--ephemeral", "--duration", "2s",
		"--chaos-interval", "200ms", "--chaos-all-every", "1")
	if res.Passed || res.Accounting.Lost == 0 {
		t.Fatalf("ephemeral replicas killed all at once passed the chaos check: %s", res.Verdict)
	}
}

// TestChaosFaults injects pauses, severed links and Byzantine attacks into at most f replicas
// at a time through their admin endpoints for 6 s under load: no transaction is lost or
// duplicated, the cluster keeps serving, and after the last clear the replicas agree.
func TestChaosFaults(t *testing.T) {
	res, logs := runChaosBench(t, "--chaos", "faults", "--duration", "6s", "--chaos-interval", "200ms",
		"--chaos-downtime", "600ms")
	if !res.Passed || res.Accounting.Lost != 0 || res.Accounting.Duplicated != 0 || res.Divergent != 0 || !res.DigestsAgree {
		t.Fatalf("chaos check: %s\n%s", res.Verdict, logs)
	}
	if res.Faults < 5 || res.Kills != 0 || res.AckedInChaos == 0 {
		t.Errorf("%d faults, %d kills, %d acknowledged during the chaos; want at least 5 faults and no kill\n%s",
			res.Faults, res.Kills, res.AckedInChaos, logs)
	}
}
