package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// ChaosOptions configure `pbft bench --chaos`: while a workload whose every acknowledged
// transaction can be found again in the final state runs, replicas are killed with SIGKILL
// and restarted from their data directories (docs/design.md, "Durability" and "Chaos testing").
type ChaosOptions struct {
	// Mode is "" (no chaos), ChaosRandom, ChaosRolling or ChaosFaults.
	Mode string
	// Interval is the mean pause between two rounds (uniform in [Interval/2, 3·Interval/2]).
	Interval time.Duration
	// Downtime is the longest time killed replicas stay down (uniform in [0, Downtime]).
	Downtime time.Duration
	// MaxDown is the most replicas one random round kills (1..n).
	MaxDown int
	// AllEvery makes every AllEvery-th random round kill all n replicas at once (0: only when
	// the uniform choice of the round's size draws n). It needs MaxDown = n.
	AllEvery int
}

// Chaos modes.
const (
	ChaosRandom  = "random"  // kill a random subset of 1..MaxDown replicas, restart them, repeat
	ChaosRolling = "rolling" // kill and restart n1, n2, ..., nN one after another, each caught up before the next
)

// Defaults of the chaos flags. A round of the default random mode takes about 2 s on the
// 2-core development machine (the pause, the downtime, about 0.5-1 s until the restarted
// processes are ready), so --duration 300s makes about 150 rounds and 500 kills.
const (
	DefaultChaosInterval = time.Second
	DefaultChaosDowntime = 500 * time.Millisecond
	DefaultChaosAllEvery = 5
	// DefaultChaosAccounts is --accounts under --chaos: the workload uses two accounts per
	// client, and a small bank restarts faster.
	DefaultChaosAccounts = 1000
)

// ErrChaos is returned when the chaos run found a lost or duplicated acknowledged
// transaction, a divergence, or a replica that would not restart (results are written).
var ErrChaos = errors.New("chaos check failed")

// fillDefaults makes a zero MaxDown all n replicas. A zero Interval or Downtime stays zero
// (rounds back to back, restarts at once); the flags' defaults are the Default* constants.
func (o *ChaosOptions) fillDefaults(n int) {
	if o.MaxDown == 0 {
		o.MaxDown = n
	}
}

func (o *Options) validateChaos(n int) error {
	ch := &o.Chaos
	switch {
	case ch.Mode != ChaosRandom && ch.Mode != ChaosRolling && ch.Mode != ChaosFaults:
		return fmt.Errorf("--chaos %q: want %s, %s or %s", ch.Mode, ChaosRandom, ChaosRolling, ChaosFaults)
	case o.ConfigPath != "" || len(o.Down) > 0 || len(o.Byzantine) > 0:
		// --ephemeral is allowed: replicas that forget everything on a restart are how one
		// sees the check fail.
		return errors.New("--chaos restarts the replicas of a local cluster: it excludes --config, --down and --byzantine")
	case len(o.SweepClients) > 0:
		return errors.New("--chaos runs one client count: use --clients, not --sweep-clients")
	case ch.Interval < 0 || ch.Downtime < 0:
		return errors.New("--chaos-interval and --chaos-downtime must not be negative")
	case ch.MaxDown < 1 || ch.MaxDown > n:
		return fmt.Errorf("--chaos-max-down %d: want 1..%d", ch.MaxDown, n)
	case ch.AllEvery < 0:
		return errors.New("--chaos-all-every must not be negative")
	case o.Accounts < 2*o.Clients:
		return fmt.Errorf("--chaos needs two accounts per client: --accounts %d < 2 × %d clients", o.Accounts, o.Clients)
	}
	return nil
}

// runChaos is Run under --chaos: start the cluster, read the opening balances, run the chaos
// workload for o.Warmup without faults and o.Duration with them, bring every replica back,
// seal each client's history, and check the final state against the acknowledgements.
func runChaos(ctx context.Context, o Options) error {
	n := 3*benchF + 1
	o.Chaos.fillDefaults(n)
	if err := o.validateChaos(n); err != nil {
		return err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	started, load := time.Now(), loadAvg()
	c, err := o.openCluster(ctx)
	if err != nil {
		return err
	}
	defer c.stop()
	res, err := chaosRun(ctx, c, &o, started)
	if err != nil {
		return err
	}
	res.Setup.LoadAvgStart = load
	res.checkLedgers(c, &o)
	res.verdict()
	if err := writeJSON(o.Out, res); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	printChaos(o.Stdout, res, o.Out)
	if !res.Passed {
		c.keepWork = true
		fmt.Fprintf(o.Stderr, "chaos: kept the replicas' logs and data directories in %s\n", c.workDir)
		return fmt.Errorf("%w: %s (results in %s)", ErrChaos, res.Verdict, o.Out)
	}
	return nil
}

// chaosRun runs the load and the killer, then the checks.
func chaosRun(ctx context.Context, c *benchCluster, o *Options, started time.Time) (*ChaosResults, error) {
	opening, err := agreedBalances(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("opening balances: %w", err)
	}
	terms, closeAll, err := newTerminals(c, o, o.Clients)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	load := startChaosLoad(ctx, terms, o.Seed)
	k := newKiller(c, o)
	if sleepUntil(ctx, time.Now().Add(o.Warmup)) {
		k.run(ctx, time.Now().Add(o.Duration))
	}
	if ctx.Err() != nil {
		load.stop()
		return nil, ctx.Err()
	}
	k.restartAll(ctx)
	load.stop()
	sealed := load.seal(ctx)
	res := &ChaosResults{Mode: o.Chaos.Mode, Setup: o.chaosSetup(c, started), Sealed: sealed}
	res.fromKiller(k, c.cfg.F)
	res.fromLoad(load, k, c.cfg.F)
	res.check(ctx, c, opening, load.ledgers())
	return res, nil
}

// agreedBalances asks every running replica for its balances and returns them if all agree.
func agreedBalances(ctx context.Context, c *benchCluster) (map[string]int64, error) {
	var first map[string]int64
	var firstID pbft.NodeID
	for _, id := range c.honest() {
		b, err := c.replicas[id].Control().Balances(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		if first == nil {
			first, firstID = b, id
			continue
		}
		if !sameBalances(first, b) {
			return nil, fmt.Errorf("%s and %s disagree on the balances", firstID, id)
		}
	}
	return first, nil
}

func sameBalances(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
