package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/control"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// fakeChildEnv makes the test binary act as a fake replica child (see TestMain).
const fakeChildEnv = "PBFT_RUNNER_FAKE_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeChildEnv); mode != "" {
		os.Exit(fakeChild(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakeChild is a fake replica process. Modes: "serve" answers the control protocol until EOF;
// "crash" fails before it is ready; "stubborn" is ready but ignores EOF and SIGINT (only a
// kill ends it); "mute" never reports ready.
func fakeChild(mode string, args []string) int {
	if i := slices.Index(args, "node"); i < 0 || !slices.Contains(args, "stdio") || !slices.Contains(args, "--id") {
		fmt.Fprintf(os.Stderr, "fake child: unexpected arguments %q\n", args)
		return 2
	}
	answer := func(req controlapi.Request) (any, error) {
		if req.Cmd == controlapi.CmdStatus {
			status := fmt.Sprintf("seq%d", req.Seq)
			if w := os.Getenv("PBFT_WRAPPED_AS"); w != "" {
				status += " wrapped as " + w // set by the Wrap prefix of TestProcessLauncherWrap
			}
			return controlapi.StatusData{Status: status}, nil
		}
		return nil, fmt.Errorf("unknown command %q", req.Cmd)
	}
	switch mode {
	case "serve":
		serveControl(os.Stdin, os.Stdout, answer)
		return 0
	case "crash":
		fmt.Fprintln(os.Stderr, "listen tcp 127.0.0.1:5001: bind: address already in use")
		return 1
	case "stubborn":
		signal.Ignore(syscall.SIGINT, syscall.SIGTERM)
		serveControl(os.Stdin, os.Stdout, answer)
		<-time.After(time.Hour) // hang (a pending timer, so the runtime sees no deadlock)
	case "mute":
		<-time.After(time.Hour)
	}
	return 2
}

func fakeLauncher(t *testing.T, mode string) *ProcessLauncher {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return &ProcessLauncher{Exe: exe, Args: []string{"-test.run=^$"}, Env: []string{fakeChildEnv + "=" + mode}, LogDir: t.TempDir()}
}

func TestProcessLauncherServesAndStops(t *testing.T) {
	l := fakeLauncher(t, "serve")
	rep, err := l.Launch(context.Background(), ReplicaSpec{ID: 3, Config: "c.yaml"}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := rep.Control().Status(ctx, 7)
	if err != nil || st != "seq7" {
		t.Fatalf("status = %q, %v; want seq7", st, err)
	}
	if _, err := rep.Control().Log(ctx); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("log: %v, want the child's error", err)
	}
	if err := rep.Stop(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	p := rep.(*process)
	if p.cmd.ProcessState == nil || !p.cmd.ProcessState.Success() {
		t.Fatalf("child state %v, want a clean exit on EOF", p.cmd.ProcessState)
	}
	if _, err := rep.Control().Status(ctx, 1); !errors.Is(err, control.ErrClosed) {
		t.Fatalf("status after stop: %v, want ErrClosed", err)
	}
}

// TestProcessLauncherWrap: with a command prefix the child is started through it, with its
// id in place of %d, and still speaks the control protocol on its stdin and stdout.
func TestProcessLauncherWrap(t *testing.T) {
	env, err := exec.LookPath("env")
	if err != nil {
		t.Skip("no env(1)")
	}
	l := fakeLauncher(t, "serve")
	l.Wrap = []string{env, "PBFT_WRAPPED_AS=n%d"}
	rep, err := l.Launch(context.Background(), ReplicaSpec{ID: 5, Config: "c.yaml"}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Stop(10 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if st, err := rep.Control().Status(ctx, 2); err != nil || st != "seq2 wrapped as n5" {
		t.Fatalf("status = %q, %v; want the child started through the prefix as n5", st, err)
	}
}

func TestProcessLauncherReportsEarlyExit(t *testing.T) {
	l := fakeLauncher(t, "crash")
	_, err := l.Launch(context.Background(), ReplicaSpec{ID: 4, Config: "c.yaml"}, 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "n4") || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("err %v, want n4 and the child's last log line", err)
	}
}

func TestProcessLauncherKillsStubbornChild(t *testing.T) {
	l := fakeLauncher(t, "stubborn")
	rep, err := l.Launch(context.Background(), ReplicaSpec{ID: 1, Config: "c.yaml"}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := rep.Stop(100 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if p := rep.(*process); p.cmd.ProcessState == nil || p.cmd.ProcessState.Success() {
		t.Fatalf("child state %v, want killed", p.cmd.ProcessState)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("stop took %v", time.Since(start))
	}
}

func TestProcessLauncherGivesUpOnMuteChild(t *testing.T) {
	l := fakeLauncher(t, "mute")
	_, err := l.Launch(context.Background(), ReplicaSpec{ID: 2, Config: "c.yaml"}, 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "n2 was not ready") {
		t.Fatalf("err %v, want a readiness timeout", err)
	}
}
