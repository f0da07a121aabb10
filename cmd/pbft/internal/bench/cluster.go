package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/runner"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/node/controlapi"
	"github.com/bftbank/pbft/smallbank"
)

// Timing of the local cluster's processes.
const (
	readyTimeout = 60 * time.Second // a replica loading a million accounts takes a few seconds
	stopGrace    = 5 * time.Second
	benchF       = 2
)

// benchCluster is the cluster under test: its configuration and keys, and for a local cluster
// the replica processes and their control channels.
type benchCluster struct {
	cfg        *cluster.Config
	pub        *crypto.ClusterPublic
	clientKeys []*crypto.SigningKey // clientKeys[i] signs for clientName(i)
	replicas   map[pbft.NodeID]runner.Replica
	byzantine  map[pbft.NodeID]bool
	down       map[pbft.NodeID]bool
	workDir    string // local cluster: keys, configuration, replica logs
	keepWork   bool
	initial    int64 // the money at start

	// existing is a cluster the benchmark did not start (--config): it is checked through
	// the replicas' admin endpoints; initialFrom says where its initial money was read ("":
	// not read, so the money is not checked). checkWait, when set, replaces convergeTimeout.
	existing    bool
	initialFrom string
	checkWait   time.Duration
	// startSlot is the slot at which the replicas of an existing cluster agreed before the
	// run; -1 when they did not.
	startSlot int64

	// launcher starts the replicas of a local cluster, and restarts them under --chaos.
	launcher *runner.ProcessLauncher
}

// clientName is the name of benchmark client i.
func clientName(i int) string { return fmt.Sprintf("c%d", i) }

// startLocal deals keys, writes the configuration and starts the live replicas in parallel.
func startLocal(ctx context.Context, o *Options) (*benchCluster, error) {
	cfg := cluster.Default(benchF, o.BasePort)
	down, byz, err := o.faults(cfg.N())
	if err != nil {
		return nil, err
	}
	if err := o.Placement.Configure(cfg, o.BasePort); err != nil {
		return nil, err
	}
	c := &benchCluster{cfg: cfg, down: down, byzantine: map[pbft.NodeID]bool{}, keepWork: o.Debug,
		replicas: map[pbft.NodeID]runner.Replica{}}
	for name := range byz {
		id, _ := pbft.ParseNodeID(name, cfg.N())
		c.byzantine[id] = true
	}
	if c.workDir, err = os.MkdirTemp("", "pbft-bench-*"); err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	if err := c.configure(o, byz); err != nil {
		c.stop()
		return nil, err
	}
	if err := c.launch(ctx, o); err != nil {
		c.stop()
		return nil, err
	}
	if o.Stderr != nil {
		fmt.Fprintf(o.Stderr, "watch the replicas during the run: pbft status --config %s\n", c.configPath())
	}
	return c, nil
}

// configure deals the keys (a client key per benchmark client) and writes the cluster YAML.
func (c *benchCluster) configure(o *Options, byz map[string][]string) error {
	keys, err := crypto.DealCluster(crypto.SchemeBLS12381, c.cfg.N(), c.cfg.F, nil)
	if err != nil {
		return fmt.Errorf("dealing keys: %w", err)
	}
	names := make([]string, o.maxClients())
	for i := range names {
		names[i] = clientName(i)
	}
	if err := keys.AddClients(nil, names...); err != nil {
		return fmt.Errorf("dealing client keys: %w", err)
	}
	keyDir := filepath.Join(c.workDir, "keys")
	if err := keys.WriteDir(keyDir); err != nil {
		return fmt.Errorf("writing keys: %w", err)
	}
	c.pub = keys.Public
	for _, n := range names {
		c.clientKeys = append(c.clientKeys, keys.Clients[n])
	}
	c.cfg.KeyDir = keyDir
	c.cfg.Scheme = crypto.SchemeBLS12381
	c.cfg.LoadAccounts = &cluster.AccountLoad{Count: o.Accounts, Min: minBalance, Max: maxBalance, Seed: o.Seed}
	// The benchmark's clients are an application server's terminals acting for every account
	// holder: the configuration grants them the teller role (accounts stay owned by the
	// clients of their names), as a deployment would grant it to its application servers.
	c.cfg.Roles = map[string][]string{smallbank.RoleTeller: names}
	if len(byz) > 0 {
		c.cfg.Byzantine = byz
	}
	o.override(c.cfg)
	c.initial, err = smallbank.LoadedTotal(o.Accounts, minBalance, maxBalance, o.Seed)
	if err != nil {
		return err
	}
	return c.cfg.Save(c.configPath())
}

// override applies the flags that change the cluster's tuning; a flag left at zero keeps the
// cluster's default (pbft.DefaultConfig, through cluster.Default).
func (o *Options) override(cfg *cluster.Config) {
	if o.MaxBatch > 0 {
		cfg.Batch.MaxRequests = o.MaxBatch
	}
	if o.Inflight > 0 {
		cfg.Batch.MaxInflight = o.Inflight
	}
	if o.PipelineBatch > 0 {
		cfg.Batch.PipelineBatch = o.PipelineBatch
	}
	if o.Checkpoint > 0 {
		cfg.CheckpointInterval, cfg.Window = o.Checkpoint, 4*o.Checkpoint
	}
	if o.FillWait != 0 {
		cfg.Batch.FillWait = o.FillWait
	}
	if o.FastPath > 0 {
		cfg.Timers.FastPath = o.FastPath
	}
}

func (c *benchCluster) configPath() string { return filepath.Join(c.workDir, "cluster.yaml") }

// replicaProcs is the GOMAXPROCS of each of live local replicas: the machine's cores shared
// among them and the bench process, at least one. With more Ps than its share of the cores,
// a replica mostly pays for waking idle threads: on 2 cores, 7 replicas with GOMAXPROCS 1
// gave 2% more throughput at a lower p50 than with 2, in every one of three paired runs. The
// leader is the exception (pbft node --leader-procs): it gets every core while it leads, since
// it checks the next slot's requests while the backups wait (on 2 cores, paired runs: +1-4%
// throughput and a p50 0.3-0.6 ms lower at 96, 160 and 256 clients).
func replicaProcs(live int) int { return max(1, runtime.NumCPU()/(live+1)) }

// launch starts every replica that is not down and waits until each is ready.
func (c *benchCluster) launch(ctx context.Context, o *Options) error {
	l, err := c.newLauncher(o)
	if err != nil {
		return err
	}
	c.launcher = l
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for id := pbft.NodeID(1); int(id) <= c.cfg.N(); id++ {
		if c.down[id] {
			continue
		}
		wg.Go(func() {
			rep, err := l.Launch(ctx, runner.ReplicaSpec{ID: int(id), Config: c.configPath()}, readyTimeout)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				firstErr = cmpErr(firstErr, err)
				return
			}
			c.replicas[id] = rep
		})
	}
	wg.Wait()
	return firstErr
}

// newLauncher is the launcher of the local cluster's replica processes.
func (c *benchCluster) newLauncher(o *Options) (*runner.ProcessLauncher, error) {
	l, err := runner.NewProcessLauncher(c.workDir, o.Debug)
	if err != nil {
		return nil, err
	}
	l.Ephemeral = o.Ephemeral
	l.Wrap = o.Placement.Wrap()
	l.Admin = true // pbft status --config WORK/cluster.yaml works during a run
	if o.Chaos.Mode == ChaosFaults || o.AllowFaults {
		l.NodeArgs = append(l.NodeArgs, "--allow-faults")
	}
	if os.Getenv("GOMAXPROCS") == "" {
		l.Env = append(l.Env, fmt.Sprintf("GOMAXPROCS=%d", replicaProcs(c.cfg.N()-len(c.down))))
		l.NodeArgs = append(l.NodeArgs, "--leader-procs", strconv.Itoa(runtime.NumCPU()))
	}
	if o.CPUProfile {
		out, err := filepath.Abs(o.Out)
		if err != nil {
			return nil, err
		}
		l.NodeArgs = append(l.NodeArgs, "--cpuprofile", filepath.Join(out, "cpu-n%d.pprof"))
	}
	return l, nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// openExisting reads an existing cluster's configuration and the benchmark clients' keys.
func openExisting(ctx context.Context, o *Options) (*benchCluster, error) {
	cfg, err := cluster.Load(o.ConfigPath)
	if err != nil {
		return nil, err
	}
	if cfg.KeyDir == "" {
		return nil, fmt.Errorf("%s: no key_dir", o.ConfigPath)
	}
	if cfg.LoadAccounts == nil || cfg.LoadAccounts.Count < 2 {
		return nil, fmt.Errorf("%s: the cluster has no generated accounts (add load_accounts: {count: 100000, min: %d, max: %d, seed: 1})", o.ConfigPath, minBalance, maxBalance)
	}
	pub, err := crypto.ReadClusterPublic(cfg.KeyDir)
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckKeys(pub); err != nil {
		return nil, fmt.Errorf("%s: %w", o.ConfigPath, err)
	}
	c := &benchCluster{cfg: cfg, pub: pub, replicas: map[pbft.NodeID]runner.Replica{}, byzantine: map[pbft.NodeID]bool{}, down: map[pbft.NodeID]bool{}, existing: true}
	for i := range o.maxClients() {
		if !cfg.HasRole(clientName(i), smallbank.RoleTeller) {
			return nil, fmt.Errorf("%s: benchmark client %s has no teller role, so the replicas would refuse its payments from other accounts (add roles: {teller: [c0, ..., c%d]}, or use pbft keygen --tellers)", o.ConfigPath, clientName(i), o.maxClients()-1)
		}
		k, err := crypto.ReadClientKey(cfg.KeyDir, clientName(i))
		if err != nil {
			return nil, fmt.Errorf("benchmark client %s: %w (deal keys for c0..c%d with pbft keygen --tellers)", clientName(i), err, o.maxClients()-1)
		}
		c.clientKeys = append(c.clientKeys, k)
	}
	l := cfg.LoadAccounts
	if c.initial, err = smallbank.LoadedTotal(l.Count, l.Min, l.Max, l.Seed); err != nil {
		return nil, err
	}
	for _, a := range cfg.Accounts {
		c.initial += a.Checking + a.Savings
	}
	c.readInitialMoney(ctx) // a cluster that ran before holds other money than it started with
	return c, nil
}

// accounts is the number of generated accounts the workload may use.
func (c *benchCluster) accounts() int { return c.cfg.LoadAccounts.Count }

// honest returns the running replicas that are not Byzantine, in order.
func (c *benchCluster) honest() []pbft.NodeID {
	var ids []pbft.NodeID
	for id := range c.replicas {
		if !c.byzantine[id] {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// metrics asks every running replica for its metrics, in parallel; replicas that do not
// answer are missing from the map.
func (c *benchCluster) metrics(ctx context.Context) map[pbft.NodeID]controlapi.Metrics {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out := map[pbft.NodeID]controlapi.Metrics{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for id, rep := range c.replicas {
		wg.Go(func() {
			m, err := rep.Control().Metrics(ctx)
			if err != nil {
				return
			}
			mu.Lock()
			out[id] = m
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// stopReplicas stops the replica processes in parallel.
func (c *benchCluster) stopReplicas() {
	var wg sync.WaitGroup
	for _, rep := range c.replicas {
		wg.Go(func() { rep.Stop(stopGrace) })
	}
	wg.Wait()
	c.replicas = map[pbft.NodeID]runner.Replica{}
}

// stop stops the replica processes in parallel and removes the work directory (kept with
// --debug).
func (c *benchCluster) stop() {
	c.stopReplicas()
	if c.workDir != "" && !c.keepWork {
		os.RemoveAll(c.workDir)
	}
}
