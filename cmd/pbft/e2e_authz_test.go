package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/term"
)

// waitOutput waits until out holds want count times after offset from, or fails.
func waitOutput(t *testing.T, out *term.Capture, from int, want string, count int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d× %q in the output", count, want), func() bool {
		s := out.String()
		return len(s) >= from && strings.Count(s[from:], want) >= count
	}, out.String)
}

const authzScenario = `1,"(A, B, 1)","[n1, n2, n3, n4, n5, n6, n7]",[],[]
,"(B, C, 1)",,,
2,"(A, B, 1)","[n1, n2, n3, n4, n5, n6, n7]",[],[]
`

// TestEndToEndForeignKeyCannotSpend is issue 15's demonstration through real processes: a
// scenario run's seven replica processes, paused at the prompt after set 1, receive from
// `pbft client` B's key spending from A's account. The client refuses it locally; with
// --force the replicas order it and answer "not authorized"; A's balance is unchanged, and
// command 5 shows the refusal counted at every replica.
func TestEndToEndForeignKeyCannotSpend(t *testing.T) {
	bin := pbftBinary(t)
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	csv := filepath.Join(dir, "authz.csv")
	if err := os.Mkdir(tmp, 0o700); err != nil || os.WriteFile(csv, []byte(authzScenario), 0o644) != nil {
		t.Fatal("setup", err)
	}
	runner := exec.Command(bin, "--test", csv, "--base-port", itoa(freePorts(t, 7)))
	runner.Env = append(os.Environ(), "TMPDIR="+tmp) // the run's keys and configurations go there
	in, err := runner.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &term.Capture{}
	runner.Stdout, runner.Stderr = out, out
	if err := runner.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		in.Close()
		if err := waitWithin(runner, 30*time.Second); err != nil {
			t.Errorf("pbft --test: %v\n%s", err, out.String())
		}
	}()
	waitOutput(t, out, 0, "set 1> ", 1)
	configs, _ := filepath.Glob(filepath.Join(tmp, "pbft-test-*", "set1.yaml"))
	if len(configs) != 1 {
		t.Fatalf("set 1's configuration: %v", configs)
	}
	client := func(wantCode int, want string, args ...string) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"client", "--config", configs[0]}, args...)...)
		var b bytes.Buffer
		cmd.Stdout, cmd.Stderr = &b, &b
		err := runWithin(cmd, 30*time.Second)
		if code := exitStatus(err); code != wantCode || !strings.Contains(b.String(), want) {
			t.Errorf("pbft client %s: status %d, output %q; want %d and %q", strings.Join(args, " "), code, b.String(), wantCode, want)
		}
	}
	client(1, "not sent: client B may not debit account A", "--id", "B", "transfer", "A", "B", "5")
	client(2, "SendPayment(A, B, 5): committed, failed: not authorized", "--id", "B", "--force", "transfer", "A", "B", "5")
	client(2, "Amalgamate(A, B): committed, failed: not authorized", "--id", "B", "--force", "amalgamate", "A", "B")
	client(0, "Balance(A) = 9", "balance", "A") // 10 - 1 from set 1: untouched by B
	client(0, "Balance(B) = 10", "--id", "B", "balance", "B")
	mark := len(out.String())
	io.WriteString(in, "5\n3.n4\n")
	waitOutput(t, out, mark, "; 2 not authorized", 7)
	waitOutput(t, out, mark, "n4: A=9 B=10 C=11", 1)
	io.WriteString(in, "q\n")
}
