package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/bftbank/pbft/pbft/node/cpustat"
)

// ErrInconsistent is returned when the final consistency check fails (results are written).
var ErrInconsistent = errors.New("consistency check failed")

// Run runs the benchmark and writes its results into o.Out.
func Run(ctx context.Context, o Options) error {
	o.fillDefaults()
	if err := o.validate(); err != nil {
		return err
	}
	if o.Chaos.Mode != "" {
		return runChaos(ctx, o)
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	started := time.Now()
	if o.CPUProfile {
		stop, err := profileSelf(o.Out)
		if err != nil {
			return err
		}
		defer stop()
	}
	c, err := o.openCluster(ctx)
	if err != nil {
		return err
	}
	defer c.stop()
	terms, closeAll, err := newTerminals(c, &o, o.maxClients())
	if err != nil {
		return err
	}
	defer closeAll()
	hist := newHistoryLog(o.LincheckOps)
	for _, t := range terms {
		t.hist = hist
	}
	var points []*point
	for i, n := range o.points() {
		label := fmt.Sprintf("[%d/%d] %d clients", i+1, len(o.points()), n)
		p, err := runPoint(ctx, c, &o, terms[:n], label)
		if err != nil {
			return err
		}
		points = append(points, p)
	}
	cons := checkConsistency(ctx, c, points)
	final := c.metrics(ctx)
	lin, err := hist.check(c, o.Out)
	if err != nil {
		return err
	}
	res, err := o.results(c, points, cons, final, started, lin)
	if err != nil {
		return err
	}
	printSummary(o.Stdout, res, o.Out)
	if !res.Consistent {
		return fmt.Errorf("%w: %s (results in %s)", ErrInconsistent, cons.Detail, o.Out)
	}
	if lin.Result == "Illegal" {
		return fmt.Errorf("%w: %s", ErrNotLinearizable, lin.History)
	}
	return nil
}

// ErrNotLinearizable is returned when the clients' history fails the linearizability check
// (results and the history's visualization are written).
var ErrNotLinearizable = errors.New("the clients' history is not linearizable")

func (o *Options) fillDefaults() {
	if o.Clients == 0 {
		o.Clients = DefaultClients
	}
	if o.Out == "" {
		o.Out = DefaultOut
	}
	if o.BasePort == 0 {
		o.BasePort = DefaultBasePort
	}
	if o.OpTimeout == 0 {
		o.OpTimeout = DefaultOpTimeout
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
}

func (o *Options) openCluster(ctx context.Context) (*benchCluster, error) {
	if o.ConfigPath != "" {
		return openExisting(ctx, o)
	}
	c, err := startLocal(ctx, o)
	if err == nil {
		fmt.Fprintf(o.Stderr, "started %d replicas with %d accounts each\n", len(c.replicas), o.Accounts)
	}
	return c, err
}

// runPoint runs one client count: warm-up, measured window, drain.
func runPoint(ctx context.Context, c *benchCluster, o *Options, terms []*terminal, label string) (*point, error) {
	start := time.Now()
	rec := newRecorder(start, o.Warmup, o.Duration)
	p := &point{clients: len(terms), rec: rec, duration: o.Duration}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		drive(ctx, terms, rec, stop)
		close(done)
	}()
	bar := startProgress(o.Stderr, label, rec, o.Warmup+o.Duration)
	defer func() {
		select {
		case <-done:
		default:
			close(stop)
			<-done
		}
	}()
	if !sleepUntil(ctx, rec.measureFrom) {
		bar.stop()
		return nil, ctx.Err()
	}
	p.before = c.metrics(ctx)
	p.selfBefore = cpustat.Self()
	p.hostBefore, p.hostOK = cpustat.ReadHost()
	if !sleepUntil(ctx, rec.measureTo) {
		bar.stop()
		return nil, ctx.Err()
	}
	p.after = c.metrics(ctx)
	p.selfAfter = cpustat.Self()
	var ok bool
	p.hostAfter, ok = cpustat.ReadHost()
	p.hostOK = p.hostOK && ok && o.ConfigPath == ""
	close(stop)
	<-done
	bar.stop()
	return p, ctx.Err()
}

// profileSelf writes a CPU profile of the benchmark process (its clients) to OUT/cpu-bench.pprof.
func profileSelf(dir string) (func(), error) {
	f, err := os.Create(filepath.Join(dir, "cpu-bench.pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// sleepUntil waits until t; false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
