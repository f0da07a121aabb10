package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEndToEndClusterUpAndDown: pbft cluster up deals keys, writes cluster.yaml and starts
// seven background replicas that serve a client from the same directory (default --config);
// pbft cluster down stops every one of them; up again recovers the state from data/.
func TestEndToEndClusterUpAndDown(t *testing.T) {
	bin := pbftBinary(t)
	dir := t.TempDir()
	pbft := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), configEnv+"=")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		return exitStatus(runWithin(cmd, 60*time.Second)), out.String()
	}
	if code, out := pbft("cluster", "up", "--base-port", itoa(freePorts(t, 7))); code != 0 || !strings.Contains(out, "started 7 replicas") {
		t.Fatalf("cluster up: status %d\n%s", code, out)
	}
	started := readPids(t, dir)
	t.Cleanup(func() { // whatever happened, no replica outlives the test
		for _, pid := range started {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	if code, out := pbft("cluster", "up"); code != 1 || !strings.Contains(out, "already running: n1 (pid") {
		t.Errorf("second cluster up: status %d, %q; want a refusal", code, out)
	}
	if code, out := pbft("cluster", "ps"); code != 0 || strings.Count(out, " running ") != 7 {
		t.Errorf("cluster ps: status %d\n%s", code, out)
	}
	// A replica that crashed while the others run: up starts it alone, from its data.
	syscall.Kill(started[2], syscall.SIGKILL)
	waitFor(t, "n3 to die", func() bool { return !processRuns(started[2]) })
	if code, out := pbft("cluster", "up"); code != 0 || !strings.Contains(out, "started 1 replicas (n3 pid") || !strings.Contains(out, "already running: n1 (pid") {
		t.Fatalf("cluster up with n3 down: status %d\n%s", code, out)
	}
	started = append(started, readPids(t, dir)[2])
	if code, out := pbft("cluster", "ps"); code != 0 || strings.Count(out, " running ") != 7 {
		t.Errorf("cluster ps after n3's restart: status %d\n%s", code, out)
	}
	if code, out := pbft("client", "transfer", "A", "B", "3"); code != 0 || !strings.Contains(out, "committed, ok") {
		t.Errorf("client transfer: status %d, %q", code, out)
	}
	if code, out := pbft("cluster", "down"); code != 0 || strings.Count(out, "(pid ") != 7 {
		t.Errorf("cluster down: status %d, %q", code, out)
	}
	for i, pid := range started {
		if processRuns(pid) {
			t.Errorf("n%d (pid %d) still runs after cluster down", i+1, pid)
		}
	}
	if code, out := pbft("cluster", "up"); code != 0 {
		t.Fatalf("cluster up again: status %d\n%s", code, out)
	}
	started = append(started, readPids(t, dir)...)
	if code, out := pbft("client", "balance", "B"); code != 0 || !strings.Contains(out, "Balance(B) = 13") {
		t.Errorf("balance after a restart: status %d, %q; want 13 (state kept in data/)", code, out)
	}
	if code, out := pbft("cluster", "down"); code != 0 || strings.Count(out, "(pid ") != 7 {
		t.Errorf("cluster down: status %d, %q", code, out)
	}
	if code, out := pbft("cluster", "down"); code != 0 || !strings.Contains(out, "no replica was running") {
		t.Errorf("cluster down twice: status %d, %q", code, out)
	}
}

// processRuns reports whether pid is a live process (not a zombie).
func processRuns(pid int) bool {
	stat, err := os.ReadFile("/proc/" + itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}
