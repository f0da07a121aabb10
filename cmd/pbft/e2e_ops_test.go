package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft/cluster"
)

// TestEndToEndFaultsAndStatus runs seven `pbft node` processes, n1..n6 with --allow-faults
// and n7 without, and drives them with `pbft fault` and `pbft status` (docs/operations.md):
// n7 refuses faults; pausing the leader makes the others change view, which status and the
// metrics show; a severed link and a replica signing badly show in the metrics; after clear
// every replica is back in the new view and the bank still serves.
func TestEndToEndFaultsAndStatus(t *testing.T) {
	bin := pbftBinary(t)
	dir := t.TempDir()
	cfgPath := writeConfig(t, dir)
	cfg, err := cluster.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	for id := 1; id <= 7; id++ {
		args := []string{"node", "--config", cfgPath, "--id", "n" + itoa(id)}
		if id != 7 {
			args = append(args, "--allow-faults")
		}
		startNodeProcess(t, bin, args)
	}
	waitStatus(t, cfgPath, "every replica up with 6 peers", func(all []replicaStatus) bool {
		for _, r := range all {
			if !r.Up || r.Status.ConnectedPeers != 6 {
				return false
			}
		}
		return true
	})

	wantOneLineError(t, "--allow-faults", "fault", "--config", cfgPath, "--node", "n7", "pause", "1s")
	wantOneLineError(t, "unknown action", "fault", "--config", cfgPath, "--node", "n2", "explode")
	clientOK(t, bin, cfgPath, "transfer", "A", "B", "1")

	// Pause the leader of view 1: the others time out the request and move to view 2. The pause
	// is long enough for a loaded machine; clear ends it as soon as the view change is seen.
	if code, out, errOut := runCLI(t, "fault", "--config", cfgPath, "--node", "n1", "pause", "10s"); code != 0 || !strings.Contains(out, "paused") {
		t.Fatalf("pause n1: %d %q %q", code, out, errOut)
	}
	transfer := exec.Command(bin, "client", "--config", cfgPath, "transfer", "A", "B", "2")
	var transferOut bytes.Buffer
	transfer.Stdout, transfer.Stderr = &transferOut, &transferOut
	if err := transfer.Start(); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, cfgPath, "five replicas in view 2 while n1 is paused", func(all []replicaStatus) bool {
		moved := 0
		for _, r := range all[1:] {
			if r.Up && r.Status.View >= 2 && r.Status.ViewActive {
				moved++
			}
		}
		n1 := all[0].Status
		return moved >= 5 && n1 != nil && n1.Stale && n1.Faults != nil && n1.Faults.PausedUntil != nil
	})
	if v := metric(t, cfg.AdminAddrOf(2), "pbft_view_changes_total"); v < 1 {
		t.Errorf("n2's pbft_view_changes_total = %v after the leader paused, want >= 1", v)
	}
	if err := waitWithin(transfer, 30*time.Second); err != nil || !strings.Contains(transferOut.String(), "committed, ok") {
		t.Fatalf("transfer during the pause: %v %q", err, transferOut.String())
	}
	if code, _, errOut := runCLI(t, "fault", "--config", cfgPath, "--node", "n1", "clear"); code != 0 {
		t.Fatalf("clear n1: %s", errOut)
	}
	waitStatus(t, cfgPath, "n1 back in the new view and caught up", func(all []replicaStatus) bool {
		n1, n2 := all[0].Status, all[1].Status
		return n1 != nil && n2 != nil && !n1.Stale && n1.View == n2.View && n1.ViewActive && n1.Executed == n2.Executed
	})

	// Sever n3 from n5, and make n4 sign badly: their effects show in the metrics.
	for _, args := range [][]string{{"--node", "n3", "sever", "n5"}, {"--node", "n4", "byzantine", "sign"}} {
		if code, _, errOut := runCLI(t, append([]string{"fault", "--config", cfgPath}, args...)...); code != 0 {
			t.Fatalf("fault %v: %s", args, errOut)
		}
	}
	badSig := metric(t, cfg.AdminAddrOf(2), `pbft_rejected_total{reason="bad_signature"}`)
	clientOK(t, bin, cfgPath, "transfer", "A", "C", "1")
	waitFor(t, "n3 drops n5's frames and n2 rejects n4's signatures", func() bool {
		return metric(t, cfg.AdminAddrOf(3), `pbft_dropped_total{cause="severed"}`) > 0 &&
			metric(t, cfg.AdminAddrOf(2), `pbft_rejected_total{reason="bad_signature"}`) > badSig
	})
	for _, node := range []string{"n3", "n4"} {
		if code, out, errOut := runCLI(t, "fault", "--config", cfgPath, "--node", node, "clear"); code != 0 || !strings.Contains(out, "no faults") {
			t.Fatalf("clear %s: %q %q", node, out, errOut)
		}
	}
	clientOK(t, bin, cfgPath, "transfer", "B", "D", "4")
	clientOK(t, bin, cfgPath, "balance", "B")
	code, out, _ := runCLI(t, "status", "--config", cfgPath)
	if code != 0 || !strings.Contains(out, "7 of 7 up") {
		t.Errorf("pbft status at the end: %d\n%s", code, out)
	}
}

// startNodeProcess starts a replica process, stopped with SIGTERM at the end of the test;
// each check then reads its log.
func startNodeProcess(t *testing.T, bin string, args []string, checks ...func(logs string)) {
	t.Helper()
	node := exec.Command(bin, args...)
	var logs bytes.Buffer
	node.Stderr = &logs
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		node.Process.Signal(syscall.SIGTERM)
		if err := waitWithin(node, 10*time.Second); err != nil {
			t.Errorf("%v did not stop on SIGTERM: %v\n%s", args, err, logs.String())
		}
		for _, check := range checks {
			check(logs.String())
		}
	})
}

// clientOK runs `pbft client` and requires success.
func clientOK(t *testing.T, bin, cfgPath string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"client", "--config", cfgPath}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pbft client %v: %v %s", args, err, out)
	}
}

// waitStatus polls `pbft status --json` until ok holds.
func waitStatus(t *testing.T, cfgPath, what string, ok func([]replicaStatus) bool) {
	t.Helper()
	var last string
	waitFor(t, what, func() bool {
		_, out, _ := runCLI(t, "status", "--config", cfgPath, "--json", "--timeout", "2s")
		last = out
		var doc struct{ Replicas []replicaStatus }
		if json.Unmarshal([]byte(out), &doc) != nil || len(doc.Replicas) != 7 {
			return false
		}
		return ok(doc.Replicas)
	}, func() string { return last })
}

// waitFor polls cond every 100 ms for at most 30 s; describe (optional) explains a failure.
func waitFor(t *testing.T, what string, cond func() bool, describe ...func() string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			msg := ""
			for _, d := range describe {
				msg = d()
			}
			t.Fatalf("waited 30s for: %s\n%s", what, msg)
		}
		time.Sleep(100 * time.Millisecond) // polling interval, not a wait for an event
	}
}

// metric reads one series from a replica's /metrics (exact name and labels as exposed).
func metric(t *testing.T, addr, series string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("metrics of %s: %v", addr, err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if ok && name == series {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatalf("metric %s = %q", series, value)
			}
			return v
		}
	}
	t.Fatalf("%s has no series %s", addr, series)
	return 0
}
