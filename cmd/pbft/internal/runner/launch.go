package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/control"
)

// ReplicaSpec says which replica to start, with which configuration.
type ReplicaSpec struct {
	ID     int    // 1..n
	Config string // path of the cluster YAML
	Set    int    // index of the set in the file, for naming logs
}

// Replica is a started replica.
type Replica interface {
	// Control is the replica's control channel.
	Control() *control.Conn
	// Stop ends the replica: it closes its stdin, and kills it if it is still alive after
	// grace. It returns once the replica is gone.
	Stop(grace time.Duration) error
}

// Launcher starts replicas.
type Launcher interface {
	// Launch starts a replica and returns once it reported ready. On an error nothing is left
	// running.
	Launch(ctx context.Context, spec ReplicaSpec, ready time.Duration) (Replica, error)
}

// ProcessLauncher starts each replica as a child process:
// `Exe [Args...] node --config C --id nK --control stdio [--debug]`, with its stderr (its
// zerolog output) written to LogDir/set<S>-n<K>.log.
type ProcessLauncher struct {
	Exe  string
	Args []string // before "node"; tests use them to select a fake child
	// NodeArgs are added after the node's own flags (the benchmark passes --cpuprofile).
	// A "%d" in an argument is replaced by the replica's id.
	NodeArgs []string
	Env      []string // added to the parent's environment
	LogDir   string
	Debug    bool
	// DataDir holds a data directory per replica and set, DataDir/set<S>-n<K>, passed as
	// --data-dir; with Ephemeral, replicas keep everything in memory (--ephemeral).
	DataDir   string
	Ephemeral bool
	// Wrap is a command prefix that starts each replica (Placement.Exec), e.g. `ip netns exec
	// ns-n%d`; a "%d" in an argument is replaced by the replica's id. Empty: Exe itself.
	Wrap []string

	// Admin keeps each replica's admin endpoint (metrics, status; docs/operations.md) at the
	// configuration's admin address; without it replicas run with --admin-addr off, as the
	// scenario runner's do (it inspects them through the control channel, and a fixed admin
	// port taken by another program must not fail a scenario run).
	Admin bool
}

// DataDirOf is the data directory the replica of spec is started with (l.DataDir set).
func (l *ProcessLauncher) DataDirOf(spec ReplicaSpec) string {
	return filepath.Join(l.DataDir, fmt.Sprintf("set%d-n%d", spec.Set+1, spec.ID))
}

// NewProcessLauncher launches this executable.
func NewProcessLauncher(logDir string, debug bool) (*ProcessLauncher, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find the pbft executable to start replicas: %w", err)
	}
	return &ProcessLauncher{Exe: exe, LogDir: logDir, Debug: debug, DataDir: filepath.Join(logDir, "data")}, nil
}

// process is a replica child process.
type process struct {
	id      int
	cmd     *exec.Cmd
	conn    *control.Conn
	logPath string
	exited  chan struct{} // closed when Wait returned
	stopped sync.Once
	waitErr error
}

// Launch starts the child and waits for its ready event.
func (l *ProcessLauncher) Launch(ctx context.Context, spec ReplicaSpec, ready time.Duration) (Replica, error) {
	p, err := l.start(spec)
	if err != nil {
		return nil, err
	}
	timer := time.NewTimer(ready)
	defer timer.Stop()
	select {
	case <-p.conn.Ready():
		return p, nil
	case <-p.exited:
		err = fmt.Errorf("n%d exited before it was ready (%v)%s", spec.ID, p.waitErr, p.logTail())
	case <-p.conn.Done():
		err = fmt.Errorf("n%d closed its control channel before it was ready%s", spec.ID, p.logTail())
	case <-timer.C:
		err = fmt.Errorf("n%d was not ready after %v%s", spec.ID, ready, p.logTail())
	case <-ctx.Done():
		err = ctx.Err()
	}
	p.Stop(0)
	return nil, err
}

func (l *ProcessLauncher) start(spec ReplicaSpec) (*process, error) {
	args := append(append([]string{}, l.Args...), "node", "--config", spec.Config,
		"--id", fmt.Sprintf("n%d", spec.ID), "--control", "stdio")
	if l.Debug {
		args = append(args, "--debug")
	}
	if !l.Admin {
		args = append(args, "--admin-addr", "off")
	}
	switch {
	case l.Ephemeral:
		args = append(args, "--ephemeral")
	case l.DataDir != "":
		args = append(args, "--data-dir", l.DataDirOf(spec))
	}
	args = append(args, withID(l.NodeArgs, spec.ID)...)
	cmd := exec.Command(l.Exe, args...)
	if len(l.Wrap) > 0 {
		wrap := withID(l.Wrap, spec.ID)
		cmd = exec.Command(wrap[0], append(append(wrap[1:], l.Exe), args...)...)
	}
	cmd.Env = append(os.Environ(), l.Env...)
	detach(cmd)
	p := &process{id: spec.ID, cmd: cmd, exited: make(chan struct{}),
		logPath: filepath.Join(l.LogDir, fmt.Sprintf("set%d-n%d.log", spec.Set+1, spec.ID))}
	logFile, err := os.Create(p.logPath)
	if err != nil {
		return nil, fmt.Errorf("n%d: %w", spec.ID, err)
	}
	cmd.Stderr = logFile
	if err := p.startWithPipes(logFile); err != nil {
		return nil, fmt.Errorf("starting n%d (%s): %w", spec.ID, l.Exe, err)
	}
	return p, nil
}

// withID replaces "%d" in every argument by the replica's id.
func withID(args []string, id int) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.ReplaceAll(a, "%d", strconv.Itoa(id))
	}
	return out
}

// startWithPipes starts the child with its stdin and stdout on OS pipes whose child ends are
// closed in the parent, so that the parent sees EOF when the child exits and the child sees
// EOF when the parent closes stdin (or dies).
func (p *process) startWithPipes(logFile *os.File) error {
	inR, inW, err := os.Pipe()
	if err != nil {
		logFile.Close()
		return err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(logFile, inR, inW)
		return err
	}
	p.cmd.Stdin, p.cmd.Stdout = inR, outW
	err = p.cmd.Start()
	closeAll(inR, outW)
	if err != nil {
		closeAll(logFile, inW, outR)
		return err
	}
	p.conn = control.NewConn(inW, outR)
	go func() {
		p.waitErr = p.cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	return nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// Control is the child's control channel.
func (p *process) Control() *control.Conn { return p.conn }

// Stop closes the child's stdin and kills it if it outlives grace.
func (p *process) Stop(grace time.Duration) error {
	p.stopped.Do(func() {
		p.conn.Close()
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-p.exited:
			return
		case <-timer.C:
		}
		kill(p.cmd)
		<-p.exited
	})
	var exitErr *exec.ExitError
	if p.waitErr != nil && !errors.As(p.waitErr, &exitErr) {
		return p.waitErr
	}
	return nil
}

// logTail returns the last lines of the child's stderr, for an error message.
func (p *process) logTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return ": " + strings.Join(lines, " | ")
}
