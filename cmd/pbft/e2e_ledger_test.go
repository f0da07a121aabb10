package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A replica's ledger, after a run of real processes, verifies with the public keys alone;
// after one byte of a stored batch is flipped, the break is reported at that slot.
func TestEndToEndLedgerVerify(t *testing.T) {
	bin := pbftBinary(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir)
	var nodes []*exec.Cmd
	for id := 1; id <= 7; id++ {
		node := exec.Command(bin, "node", "--config", cfg, "--id", "n"+itoa(id))
		node.Stderr = &bytes.Buffer{}
		if err := node.Start(); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, node)
		t.Cleanup(func() { node.Process.Kill(); node.Wait() })
	}
	waitListening(t, cfg)
	for i := 0; i < 12; i++ { // 12 slots: a stable checkpoint at 10 (K = 10)
		from, to := "A", "B"
		if i%2 == 1 {
			from, to = to, from
		}
		cmd := exec.Command(bin, "client", "--config", cfg, "--id", from, "transfer", from, to, "1")
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "committed, ok") {
			t.Fatalf("transfer %d: %v\n%s", i, err, out)
		}
	}
	for _, n := range nodes {
		n.Process.Signal(syscall.SIGTERM)
		if err := waitWithin(n, 10*time.Second); err != nil {
			t.Fatalf("a replica did not stop: %v", err)
		}
	}
	data := filepath.Join(dir, "data", "n3")
	out, code := ledgerCLI(t, bin, "verify", "--data-dir", data, "--config", cfg)
	if code != 0 || !strings.Contains(out, "valid") || !strings.Contains(out, "1 checkpoint certificates matched") {
		t.Fatalf("verify: status %d\n%s", code, out)
	}
	if out, code = ledgerCLI(t, bin, "tamper", "--data-dir", data, "--slot", "5"); code != 0 {
		t.Fatalf("tamper: status %d\n%s", code, out)
	}
	out, code = ledgerCLI(t, bin, "verify", "--data-dir", data, "--config", cfg)
	if code != 1 || !strings.Contains(out, "BREAK at slot 5:") {
		t.Fatalf("verify after tampering with slot 5: status %d\n%s", code, out)
	}
}

func ledgerCLI(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"ledger"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := runWithin(cmd, 60*time.Second)
	return out.String(), exitStatus(err)
}
