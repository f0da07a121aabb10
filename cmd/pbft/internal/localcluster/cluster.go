package localcluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bftbank/pbft/pbft/cluster"
)

// Options say which cluster to run and how.
type Options struct {
	Config    string        // the cluster configuration; its key directory must hold the keys
	Binary    string        // the pbft executable that runs `pbft node`
	Ephemeral bool          // replicas keep everything in memory (pbft node --ephemeral)
	Ready     time.Duration // how long up waits for every replica to listen
	Grace     time.Duration // how long down waits after SIGTERM before SIGKILL
	Out       io.Writer     // progress lines
}

// Replica is what ps reports of one replica.
type Replica struct {
	ID        int
	Addr      string
	PID       int  // 0: no pid file
	Running   bool // the pid file's process runs
	Listening bool // something accepts connections on Addr
	Log       string
}

// runDir holds the pid and log files, beside the configuration.
func (o *Options) runDir() string { return filepath.Join(filepath.Dir(o.Config), "run") }

func (o *Options) pidFile(id int) string {
	return filepath.Join(o.runDir(), fmt.Sprintf("n%d.pid", id))
}
func (o *Options) logFile(id int) string {
	return filepath.Join(o.runDir(), fmt.Sprintf("n%d.log", id))
}

// Up starts every replica of the configuration that is not running, in the background, and
// waits until each one listens: the whole cluster, or the replicas that crashed or were
// stopped while the others run (a replica restarted from its data directory rejoins them). It
// refuses when every replica runs already, or when a replica's address is held by another
// process. If one fails, it stops those it started and returns the failing replica's last log
// line.
func Up(ctx context.Context, o Options) error {
	cfg, err := cluster.Load(o.Config)
	if err != nil {
		return err
	}
	running, ids := o.running(cfg)
	if len(running) == len(cfg.Replicas) {
		return fmt.Errorf("already running: %s; stop it first with pbft cluster down", strings.Join(running, ", "))
	}
	var todo []int
	for _, r := range cfg.Replicas {
		if slices.Contains(ids, r.ID) {
			continue
		}
		if listening(r.Addr) {
			return fmt.Errorf("n%d's address %s is already in use by another process", r.ID, r.Addr)
		}
		todo = append(todo, r.ID)
	}
	if err := os.MkdirAll(o.runDir(), 0o755); err != nil {
		return err
	}
	exited := make(chan int, len(todo))
	var started []int
	for _, id := range todo {
		if err := o.start(id, exited); err != nil {
			o.stopAll(started)
			return fmt.Errorf("starting n%d: %w", id, err)
		}
		started = append(started, id)
	}
	if err := o.waitListening(ctx, cfg, exited); err != nil {
		o.stopAll(started)
		return err
	}
	fmt.Fprintf(o.Out, "started %d replicas (%s); logs and pid files in %s\n", len(started), o.pidList(started), o.runDir())
	if len(running) > 0 {
		fmt.Fprintf(o.Out, "already running: %s\n", strings.Join(running, ", "))
	}
	return nil
}

// start launches one replica, records its pid, and reports its id on exited if it ends.
func (o *Options) start(id int, exited chan<- int) error {
	logf, err := os.OpenFile(o.logFile(id), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cfgPath, err := filepath.Abs(o.Config)
	if err != nil {
		return err
	}
	args := []string{"node", "--config", cfgPath, "--id", fmt.Sprintf("n%d", id)}
	if o.Ephemeral {
		args = append(args, "--ephemeral")
	}
	cmd := exec.Command(o.Binary, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		cmd.Wait()
		exited <- id
	}()
	return os.WriteFile(o.pidFile(id), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644)
}

// waitListening polls the replicas' addresses until all accept connections.
func (o *Options) waitListening(ctx context.Context, cfg *cluster.Config, exited <-chan int) error {
	deadline := time.NewTimer(o.Ready)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		waiting := 0
		for _, r := range cfg.Replicas {
			if !listening(r.Addr) {
				waiting++
			}
		}
		if waiting == 0 {
			return nil
		}
		select {
		case id := <-exited:
			return fmt.Errorf("n%d exited while starting: %s (log: %s)", id, lastLine(o.logFile(id)), o.logFile(id))
		case <-deadline.C:
			return fmt.Errorf("%d replicas did not listen within %v (logs in %s)", waiting, o.Ready, o.runDir())
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Down stops every replica that has a pid file: SIGTERM, then SIGKILL after the grace period.
func Down(o Options) error {
	cfg, err := cluster.Load(o.Config)
	if err != nil {
		return err
	}
	var ids []int
	for _, r := range cfg.Replicas {
		ids = append(ids, r.ID)
	}
	stopped := o.stopAll(ids)
	if len(stopped) == 0 {
		fmt.Fprintf(o.Out, "no replica was running (no live pid file in %s)\n", o.runDir())
		return nil
	}
	fmt.Fprintf(o.Out, "stopped %s\n", strings.Join(stopped, ", "))
	return nil
}

// stopAll stops the replicas with a live pid file, in parallel, and removes their pid files.
// It returns the replicas it stopped.
func (o *Options) stopAll(ids []int) []string {
	type result struct {
		name string
		ok   bool
	}
	results := make(chan result, len(ids))
	for _, id := range ids {
		go func() {
			pid := readPID(o.pidFile(id))
			name := fmt.Sprintf("n%d (pid %d)", id, pid)
			live := pid > 0 && alive(pid) && isReplica(pid, fmt.Sprintf("n%d", id))
			if live {
				o.stop(pid)
			}
			os.Remove(o.pidFile(id))
			results <- result{name, live}
		}()
	}
	var stopped []string
	for range ids {
		if r := <-results; r.ok {
			stopped = append(stopped, r.name)
		}
	}
	slices.Sort(stopped)
	return stopped
}

// stop sends SIGTERM and waits for the process to end, then SIGKILL.
func (o *Options) stop(pid int) {
	signal(pid, terminate)
	deadline := time.Now().Add(o.Grace)
	for alive(pid) && time.Now().Before(deadline) {
		<-time.After(50 * time.Millisecond) // poll the process until the grace period ends
	}
	if alive(pid) {
		signal(pid, killSignal)
	}
}

// Ps reports every replica of the configuration.
func Ps(o Options) ([]Replica, error) {
	cfg, err := cluster.Load(o.Config)
	if err != nil {
		return nil, err
	}
	out := make([]Replica, 0, len(cfg.Replicas))
	for _, r := range cfg.Replicas {
		pid := readPID(o.pidFile(r.ID))
		out = append(out, Replica{ID: r.ID, Addr: r.Addr, PID: pid,
			Running:   pid > 0 && alive(pid) && isReplica(pid, fmt.Sprintf("n%d", r.ID)),
			Listening: listening(r.Addr), Log: o.logFile(r.ID)})
	}
	return out, nil
}

// running lists the replicas whose pid file names a live replica process.
func (o *Options) running(cfg *cluster.Config) (names []string, ids []int) {
	for _, r := range cfg.Replicas {
		if pid := readPID(o.pidFile(r.ID)); pid > 0 && alive(pid) && isReplica(pid, fmt.Sprintf("n%d", r.ID)) {
			names = append(names, fmt.Sprintf("n%d (pid %d)", r.ID, pid))
			ids = append(ids, r.ID)
		}
	}
	return names, ids
}

func (o *Options) pidList(ids []int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("n%d pid %d", id, readPID(o.pidFile(id)))
	}
	return strings.Join(parts, ", ")
}

// readPID reads a pid file; 0 when it is missing or malformed.
func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// listening reports whether something accepts TCP connections on addr.
func listening(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// lastLine is the last non-empty line of a log file, for an error message.
func lastLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "no log"
		}
		return err.Error()
	}
	defer f.Close()
	last := "empty log"
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			last = l
		}
	}
	return last
}

func itoa(i int) string { return strconv.Itoa(i) }

func contains(xs []string, x string) bool { return slices.Contains(xs, x) }
