package bench

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/cmd/pbft/internal/runner"
	"github.com/bftbank/pbft/pbft"
)

// Options configure a benchmark run.
type Options struct {
	Clients      int           // closed-loop clients (when there is no sweep)
	SweepClients []int         // client counts of a throughput-latency sweep
	Duration     time.Duration // measured phase of each point
	Warmup       time.Duration // before the measured phase of each point
	OpTimeout    time.Duration // a request without a quorum by then is an error

	Accounts        int     // generated accounts of a local cluster
	HotspotAccounts int     // 0: uniform account choice
	HotspotProb     float64 // probability of choosing a hotspot account
	Seed            uint64  // workload and account-balance seed

	ConfigPath string   // an existing cluster's configuration; empty: a local cluster
	Down       []string // replicas not started (local cluster)
	Byzantine  []string // "n7=sign", "n1=time;dark(n6)" (local cluster)
	BasePort   int      // port of n1 of a local cluster
	MaxBatch   int      // requests per pre-prepare (0: the cluster default)
	Inflight   int      // slots the leader pipelines (0: the cluster default)
	// PipelineBatch is how many requests must wait before the leader opens a slot while
	// another is in flight (0: the cluster default).
	PipelineBatch int
	FastPath      time.Duration // the collector's wait for all n σ-shares (0: the cluster default)
	// FillWait is the leader's longest wait for the clients of its last slot (0: the cluster
	// default; negative: none).
	FillWait   time.Duration
	Checkpoint int // checkpoint interval K in slots (the window is 4K)

	// LincheckOps is the window of the linearizability check: the first operations of the run
	// (0: no check).
	LincheckOps int

	// Compare is a CSV file of another system's measurements (label,load,tps,latency_ms)
	// drawn on the sweep chart beside pbft's points; empty: none.
	Compare string

	Out        string // results directory
	CPUProfile bool   // replicas write OUT/cpu-n<i>.pprof
	Debug      bool   // replicas log at debug level; logs are kept
	Ephemeral  bool   // replicas keep everything in memory (no data directory)
	// AllowFaults starts the replicas with --allow-faults, so that `pbft fault` can act on
	// them during the run (docs/operations.md, "Faults at run time").
	AllowFaults bool

	// Placement puts the local cluster's replicas on other hosts through a command prefix
	// (network namespaces); zero: 127.0.0.1.
	Placement runner.Placement

	// Chaos kills and restarts replicas under load (--chaos; chaos.go).
	Chaos ChaosOptions

	Stdout, Stderr io.Writer
}

// Defaults of the flags.
const (
	// DefaultClients is the load of the default run: about the most closed-loop clients for which
	// the median latency stays near the 20 ms goal (docs/design.md, "SmallBank benchmark") on the
	// 2-core development machine (152 clients: 7,536-8,772 tx/s at p50 17.9-20.8 ms). More clients
	// buy throughput with queueing: 256 clients ~9,600-10,000 tx/s at ~27 ms, 512 ~10,700-11,700 at
	// ~46-49 ms.
	DefaultClients   = 152
	DefaultAccounts  = 100_000
	DefaultDuration  = 20 * time.Second
	DefaultWarmup    = 5 * time.Second
	DefaultOpTimeout = 10 * time.Second
	DefaultBasePort  = 5001
	DefaultOut       = "bench-out"
	// DefaultCheckpoint is the benchmark's checkpoint interval. Scenario files keep the course's
	// 10; with batches of hundreds of requests, 64 slots is still a checkpoint every ten
	// thousand requests or so. Each checkpoint costs every replica a Merkle fold of the
	// accounts changed since the last (about 4 ms for 6,000 changes), on its protocol loop:
	// in paired runs at 152 clients 128 was +3.8% over 32 (4 pairs) and 64 as fast as 128 (3
	// pairs). A view change under load stays short because VIEW-CHANGE and NEW-VIEW carry each
	// batch once (leader stopped 3 s mid-run at 512 clients: one view change, max latency
	// 1.1-1.2 s).
	DefaultCheckpoint = 64
)

// Balances of generated accounts (docs/design.md, "SmallBank benchmark") and amounts of generated
// transactions.
const (
	minBalance = 10_000
	maxBalance = 50_000
	minAmount  = 1
	maxAmount  = 100
)

// points returns the client counts to measure.
func (o *Options) points() []int {
	if len(o.SweepClients) > 0 {
		return o.SweepClients
	}
	return []int{o.Clients}
}

// maxClients is the number of clients the run needs at once.
func (o *Options) maxClients() int { return slices.Max(o.points()) }

func (o *Options) validate() error {
	for _, c := range o.points() {
		if c < 1 || c > 10_000 {
			return fmt.Errorf("client count %d: want 1..10000", c)
		}
	}
	switch {
	case o.Duration <= 0:
		return errors.New("--duration must be positive")
	case o.Warmup < 0:
		return errors.New("--warmup must not be negative")
	case o.OpTimeout <= 0:
		return errors.New("--op-timeout must be positive")
	case o.ConfigPath == "" && (o.Accounts < 2 || o.Accounts > 10_000_000):
		return fmt.Errorf("--accounts %d: want 2..10000000", o.Accounts)
	case o.HotspotAccounts < 0 || !(o.HotspotProb >= 0 && o.HotspotProb <= 1): // NaN too
		return errors.New("--hotspot-accounts must be >= 0 and --hotspot-prob in [0, 1]")
	case o.ConfigPath == "" && o.HotspotAccounts > o.Accounts:
		return fmt.Errorf("--hotspot-accounts %d: more than the %d accounts (--accounts)", o.HotspotAccounts, o.Accounts)
	case o.ConfigPath != "" && (len(o.Down) > 0 || len(o.Byzantine) > 0):
		return errors.New("--down and --byzantine configure a local cluster; an existing one (--config) runs as it is")
	case o.MaxBatch < 0 || o.Inflight < 0 || o.PipelineBatch < 0:
		return errors.New("--batch, --inflight and --pipeline-batch must not be negative")
	case o.Checkpoint < 0:
		return errors.New("--checkpoint must not be negative")
	case o.LincheckOps < 0:
		return errors.New("--lincheck-ops must not be negative")
	}
	if o.Compare != "" {
		if _, err := readCompare(o.Compare); err != nil { // before the run, not after it
			return err
		}
	}
	if o.ConfigPath == "" {
		if _, _, err := o.faults(3*benchF + 1); err != nil {
			return err
		}
		return o.Placement.Check(3*benchF+1, o.BasePort)
	}
	if len(o.Placement.Hosts) > 0 || o.Placement.Exec != "" {
		return errors.New("--replica-hosts and --replica-exec place a local cluster; an existing one (--config) lists its addresses")
	}
	return nil
}

// faults reads --down and --byzantine for a cluster of n replicas: the down replicas and the
// attacks of each Byzantine one.
func (o *Options) faults(n int) (map[pbft.NodeID]bool, map[string][]string, error) {
	down := map[pbft.NodeID]bool{}
	for _, list := range o.Down {
		for _, name := range strings.Split(list, ",") {
			id, err := pbft.ParseNodeID(name, n)
			if err != nil {
				return nil, nil, fmt.Errorf("--down: %w", err)
			}
			down[id] = true
		}
	}
	byz := map[string][]string{}
	for _, spec := range o.Byzantine {
		name, attacks, ok := strings.Cut(spec, "=")
		if !ok || strings.TrimSpace(attacks) == "" {
			return nil, nil, fmt.Errorf("--byzantine %q: want REPLICA=ATTACKS, for example n7=sign or n1=time;dark(n6)", spec)
		}
		id, err := pbft.ParseNodeID(name, n)
		if err != nil {
			return nil, nil, fmt.Errorf("--byzantine: %w", err)
		}
		parsed, err := byzantine.ParseAttacks(attacks, n)
		if err != nil {
			return nil, nil, fmt.Errorf("--byzantine %q: %w", spec, err)
		}
		key := id.String()
		for _, a := range parsed {
			byz[key] = append(byz[key], a.String())
		}
	}
	return down, byz, nil
}
