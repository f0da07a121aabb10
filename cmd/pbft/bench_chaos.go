package main

import (
	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/cmd/pbft/internal/bench"
)

// addChaosFlags adds the --chaos flags of pbft bench.
func addChaosFlags(c *cobra.Command, o *bench.Options) {
	f := c.Flags()
	f.StringVar(&o.Chaos.Mode, "chaos", "", "kill replicas with SIGKILL and restart them from their data directories under load, then check that every acknowledged transaction is in the final state exactly once: random (random subsets of 1..--chaos-max-down replicas) or rolling (n1, n2, ..., n7 one after another, each caught up before the next); or faults (no kills: each round pauses, severs or makes Byzantine 1..min(--chaos-max-down, f) replicas through their admin endpoints for up to --chaos-downtime); --duration is the chaos phase; --accounts defaults to 1000")
	f.DurationVar(&o.Chaos.Interval, "chaos-interval", bench.DefaultChaosInterval, "mean pause between two kill-and-restart rounds (uniform in [0.5, 1.5] times it)")
	f.DurationVar(&o.Chaos.Downtime, "chaos-downtime", bench.DefaultChaosDowntime, "longest time killed replicas stay down before their restart (uniform in [0, it])")
	f.IntVar(&o.Chaos.MaxDown, "chaos-max-down", 7, "most replicas a random round kills at once")
	f.IntVar(&o.Chaos.AllEvery, "chaos-all-every", bench.DefaultChaosAllEvery, "every this many random rounds kills all seven replicas at once (0: only when the random size is 7)")
}
