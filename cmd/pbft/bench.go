package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/cmd/pbft/internal/bench"
)

func newBenchCommand(stdout, stderr io.Writer) *cobra.Command {
	o := bench.Options{Stdout: stdout, Stderr: stderr}
	c := subcommand(&cobra.Command{
		Use:   "bench [--clients N] [--duration D] [--accounts M] [--hotspot-accounts H --hotspot-prob P] [--out DIR]",
		Short: "Run the SmallBank benchmark",
		Long: `Run the SmallBank benchmark (docs/design.md, "SmallBank benchmark"). By default it starts a local cluster of
7 replica processes on 127.0.0.1 (ports --base-port..+6) whose replicas load --accounts
generated accounts (balances 10,000-50,000), runs --clients closed-loop clients with the
SmallBank mix (Amalgamate 15%, Balance 15%, DepositChecking 15%, SendPayment 25%,
TransactSavings 15%, WriteCheck 15%) for --warmup and then --duration, and reports
throughput, latency percentiles (HDR histogram), counts per transaction type with
failures, the fast-path ratio and view changes. It ends with a consistency check: the
honest replicas agree on the state digest, and the money they hold equals the initial
money plus the change the committed results report. Results go to OUT/results.json
with SVG charts (throughput over time, latency CDF, and with --sweep-clients the
throughput-latency curve). The exit status is 1 when the consistency check fails.

--config runs against an existing cluster instead (its configuration needs
load_accounts, and its key directory keys for clients c0, c1, ...). Its check asks
each replica's admin /status: at least 2f+1 must answer and all that answer must agree
on the executed slot and digest; replicas that do not answer are listed as unchecked,
and what could not be checked (the money, linearizability) is said.`,
		Example: `  pbft bench --duration 20s
  pbft bench --down n7
  pbft bench --byzantine n7=sign
  pbft bench --byzantine "n1=equivocation(n6,n7)"
  pbft bench --hotspot-accounts 100 --hotspot-prob 0.9
  pbft bench --accounts 1000000
  pbft bench --sweep-clients 1,8,64,256 --duration 10s
  pbft bench --chaos random --clients 24 --duration 300s
  pbft bench --chaos rolling --clients 24 --duration 60s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkBasePort(o.BasePort, 7); err != nil {
				return err
			}
			if o.Clients < 1 { // 0 would otherwise mean the default
				return fmt.Errorf("--clients %d: want 1..10000", o.Clients)
			}
			if o.Chaos.Mode != "" && !cmd.Flags().Changed("accounts") {
				o.Accounts = bench.DefaultChaosAccounts
			}
			return bench.Run(cmd.Context(), o)
		},
	})
	f := c.Flags()
	f.IntVar(&o.Clients, "clients", bench.DefaultClients, "closed-loop clients")
	f.IntSliceVar(&o.SweepClients, "sweep-clients", nil, "measure each of these client `counts` in turn (a throughput-latency curve), e.g. 1,8,64,256")
	f.StringVar(&o.Compare, "compare", "", "draw another system's points on the sweep chart: a CSV `file` with the header label,load,tps,latency_ms (docs/benchmarks.md has the relab/hotstuff one)")
	f.DurationVar(&o.Duration, "duration", bench.DefaultDuration, "measured duration (per client count)")
	f.DurationVar(&o.Warmup, "warmup", bench.DefaultWarmup, "warm-up before each measured duration")
	f.DurationVar(&o.OpTimeout, "op-timeout", bench.DefaultOpTimeout, "a request without a quorum by then counts as an error")
	f.IntVar(&o.Accounts, "accounts", bench.DefaultAccounts, "accounts every replica loads at start (local cluster)")
	f.IntVar(&o.HotspotAccounts, "hotspot-accounts", 0, "size of the hotspot (0: uniform account choice)")
	f.Float64Var(&o.HotspotProb, "hotspot-prob", 0.9, "probability that an account is chosen in the hotspot")
	f.Uint64Var(&o.Seed, "seed", 1, "seed of the workload and of the account balances")
	f.StringVar(&o.ConfigPath, "config", "", "benchmark an existing cluster described by this `file` instead of a local one")
	f.StringSliceVar(&o.Down, "down", nil, "replicas not to start, e.g. n7")
	f.StringArrayVar(&o.Byzantine, "byzantine", nil, "a Byzantine replica and its attacks, e.g. n7=sign, \"n1=time;dark(n6)\" (repeatable)")
	f.IntVar(&o.BasePort, "base-port", bench.DefaultBasePort, "TCP `port` of n1 of the local cluster; replica i listens on port+i-1")
	f.StringSliceVar(&o.Placement.Hosts, "replica-hosts", nil, "hosts of the local cluster's replicas, n1 first (host, port base-port+i-1, or host:port) instead of 127.0.0.1; for replicas in network namespaces")
	f.StringVar(&o.Placement.Exec, "replica-exec", "", "start each local replica through this command `prefix`, \"%d\" replaced by its id, e.g. \"ip netns exec pbft-n%d\"")
	f.IntVar(&o.MaxBatch, "batch", 0, "requests per pre-prepare at most (0: the cluster default)")
	f.IntVar(&o.Inflight, "inflight", 0, "slots the leader pipelines before batches grow (0: the cluster default)")
	f.IntVar(&o.PipelineBatch, "pipeline-batch", 0, "requests that must wait before the leader opens a slot while another is in flight (0: the cluster default)")
	f.IntVar(&o.Checkpoint, "checkpoint", bench.DefaultCheckpoint, "checkpoint interval K in slots of the local cluster (the watermark window is 4K)")
	f.DurationVar(&o.FillWait, "fill-wait", 0, "how long the leader waits at most for the clients of its last slot to come back (0: the cluster default; negative: propose at once)")
	f.DurationVar(&o.FastPath, "fast-path", 0, "how long the collector waits for all n shares before the slow path (0: the cluster default)")
	f.IntVar(&o.LincheckOps, "lincheck-ops", bench.DefaultLincheckOps, "check that the clients' history of the first `N` operations is linearizable (porcupine, after the run; 0: no check)")
	f.StringVar(&o.Out, "out", bench.DefaultOut, "results `directory`")
	f.BoolVar(&o.CPUProfile, "cpuprofile", false, "write CPU profiles of the replicas (OUT/cpu-n<i>.pprof) and of the clients (OUT/cpu-bench.pprof)")
	f.BoolVar(&o.AllowFaults, "allow-faults", false, "start the local replicas with --allow-faults, so that pbft fault --config WORK/cluster.yaml can pause, sever or corrupt them during the run")
	f.BoolVar(&o.Ephemeral, "ephemeral", false, "replicas keep everything in memory (today's mode, for comparison); by default each has a data directory under the run's temporary directory")
	addChaosFlags(c, &o)
	f.BoolVar(&o.Debug, "debug", false, "replicas log at debug level; keep their logs, keys and configuration")
	return c
}
