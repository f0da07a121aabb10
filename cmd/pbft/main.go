// Command pbft is the replicated bank's single binary (README, "Usage"): it runs scenario files on a
// local cluster (--test), one replica (node), the dealer (keygen), a one-shot client (client),
// a local background cluster (cluster up/down/ps), and the SmallBank tools (bench, smallbank
// gen).
//
// default.pgo beside this file is a CPU profile of the benchmark (the 7 replicas and the
// clients, merged), which `go build` uses for profile-guided optimization (+2.3% tx/s in
// paired runs). Regenerate it after large changes to the hot paths:
//
//	pbft bench --duration 15s --warmup 3s --cpuprofile --out /tmp/pgo
//	go tool pprof -proto /tmp/pgo/cpu-*.pprof > cmd/pbft/default.pgo
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	tuneGC()
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// defaultGCPercent is the garbage collector's target unless GOGC says otherwise. A replica's
// live heap is small (tens of MB with 100,000 accounts) and its garbage is short-lived
// frames, so Go's default of 100 collects several times a second; every collection stops and
// preempts the verification loops. Four times the live heap in garbage halves that cost and
// costs tens of MB.
const defaultGCPercent = 400

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}

// run executes the command line and returns the exit status. Every error is printed as one
// line on stderr; nothing panics out of it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "pbft: internal error: %v\n", p)
			code = 3
		}
	}()
	// SIGHUP too (a closed terminal): a scenario run then stops its replicas and removes its
	// temporary directory, keys included, as on Ctrl-C.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	root := newRootCommand(stdin, stdout, stderr)
	root.SetArgs(protectNegativeAmounts(root, args))
	return exitCode(root.ExecuteContext(ctx), stderr)
}

// exitError ends the program with a status and, if msg is not empty, one line.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func exitCode(err error, stderr io.Writer) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintf(stderr, "pbft: %s\n", ee.msg)
		}
		return ee.code
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "pbft: interrupted")
		return 130
	}
	fmt.Fprintf(stderr, "pbft: %s\n", oneLine(err.Error()))
	return 1
}

// oneLine keeps an error message on one line.
func oneLine(s string) string {
	out := []rune{}
	for _, r := range s {
		if r == '\n' || r == '\r' {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}
