package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/scenario"
	"github.com/bftbank/pbft/smallbank"
)

// DefaultBasePort is the port of n1; replica i listens on 127.0.0.1:DefaultBasePort+i-1
// (docs/design.md, "Processes, transport, configuration").
const DefaultBasePort = 5001

// Cluster shape of scenario runs: n = 7 replicas, f = 2 (docs/protocol.md, "Quorums").
const (
	scenarioF = 2
	scenarioN = 3*scenarioF + 1
)

// Initial balances of every scenario account (README, "Scenario file grammar").
const (
	initialChecking = 10
	initialSavings  = 0
)

// Options configure a run.
type Options struct {
	Path           string    // the scenario file
	Debug          bool      // print balances against the expected ones, and logs, after every set
	NonInteractive bool      // never prompt
	ReportPath     string    // write the JSON report there ("" for none)
	BasePort       int       // port of n1 (DefaultBasePort when zero)
	In             io.Reader // the user's commands (nil: never prompt)
	Out            io.Writer // everything the run prints (nil: os.Stdout)
	// Launcher starts replicas; nil starts processes of this executable (ProcessLauncher).
	Launcher Launcher
	// Clients makes the client of each name; nil makes client.Client values with the keys
	// the run deals.
	Clients ClientFactory
	// Timing overrides the bounds of the run; zero fields take the defaults of DefaultTiming.
	Timing Timing
	// Placement puts the replicas on other hosts, started through a command prefix (the
	// network-namespace test); zero: 127.0.0.1, plain children.
	Placement Placement
	// Ephemeral runs the replicas in memory (pbft node --ephemeral) instead of with a data
	// directory each under the run's temporary directory.
	Ephemeral bool
}

// Timing holds the bounds that keep a set from hanging.
type Timing struct {
	Ready    time.Duration // every child must report ready within this
	Txn      time.Duration // per operation; after it the operation is "not-committed"
	Converge time.Duration // wait for the live replicas to agree on their state
	Lagging  time.Duration // once the honest replicas agree, wait this long for the Byzantine ones
	Call     time.Duration // one control command
	Stop     time.Duration // grace between closing a child's stdin and killing it
	Poll     time.Duration // period of the convergence check
}

// DefaultTiming derives the bounds from the cluster's timers: an operation gets three
// view-change timeouts plus 2 s, enough for two consecutive view changes (the timeout doubles)
// and a client retransmission, yet a set without a quorum ends in a few seconds.
func DefaultTiming(cfg *cluster.Config) Timing {
	vc := cfg.Timers.ViewChange
	return Timing{
		Ready: 30 * time.Second, Txn: 3*vc + 2*time.Second, Converge: 2*vc + 3*time.Second, Lagging: vc,
		Call: 5 * time.Second, Stop: 3 * time.Second, Poll: 50 * time.Millisecond,
	}
}

func (t Timing) orDefault(d Timing) Timing {
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	return Timing{Ready: pick(t.Ready, d.Ready), Txn: pick(t.Txn, d.Txn), Converge: pick(t.Converge, d.Converge),
		Lagging: pick(t.Lagging, d.Lagging),
		Call:    pick(t.Call, d.Call), Stop: pick(t.Stop, d.Stop), Poll: pick(t.Poll, d.Poll)}
}

// errQuit is how the q command ends the run early.
var errQuit = errors.New("quit")

// Run parses the scenario file and runs its sets. It returns nil when every set ran (or the
// user quit), and an error for a bad file or a cluster that could not be started.
func Run(ctx context.Context, opts Options) error {
	file, err := scenario.ParseOptions{Replicas: scenarioN, ValidateOp: validateOp}.ParseFile(opts.Path)
	if err != nil {
		return err
	}
	r, err := newRun(opts, file)
	if err != nil {
		return err
	}
	defer r.cleanup()
	r.printWarnings()
	err = r.runSets(ctx)
	if werr := r.writeReport(); werr != nil && (err == nil || errors.Is(err, errQuit)) {
		return werr
	}
	if errors.Is(err, errQuit) {
		return nil
	}
	return err
}

// printWarnings prints the file's warnings before the first set and keeps them for the report.
func (r *run) printWarnings() {
	for _, w := range r.file.Warnings {
		fmt.Fprintf(r.out, "warning: %v\n", w)
		r.report.Warnings = append(r.report.Warnings, w.Error())
	}
}

// validateOp checks an operation of the file with the bank's parser, so that a bad one is
// reported with its file and line.
func validateOp(text string) error {
	_, err := smallbank.ParseOp(text)
	return err
}

func (r *run) runSets(ctx context.Context) error {
	for i := range r.file.Sets {
		if err := r.runSet(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// out is where the run prints.
func (o *Options) out() io.Writer {
	if o.Out == nil {
		return os.Stdout
	}
	return o.Out
}
