package bench

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// results assembles results.json from the measured points (the main point is the one with the
// highest throughput; with a single client count it is the only one), writes it and the charts.
func (o *Options) results(c *benchCluster, points []*point, cons Consistency, final map[pbft.NodeID]controlapi.Metrics, started time.Time, lin Linearizability) (*Results, error) {
	main := points[0]
	for _, p := range points {
		if p.throughput() > main.throughput() {
			main = p
		}
	}
	honest := c.honest()
	ok, failed, errs := main.rec.committed()
	ratio, avgBatch, fast, slow, views := main.fastRatio(honest)
	res := &Results{
		ThroughputTPS: main.throughput(), LatencyMS: main.latency(),
		Committed: ok + failed, Failed: failed, Errors: errs,
		FastPathRatio: ratio, FastSlots: fast, SlowSlots: slow, AvgBatch: avgBatch, ViewChanges: views,
		Consistent:  consistent(cons),
		Consistency: cons, PerType: main.perType(), CPU: main.cpu(), Clients: main.clients,
		Setup: o.setup(c, started), Replicas: replicaResults(c, final), Timeline: main.timeline(),
		Linearizable: lin.Result == "Ok", Linearizability: lin,
	}
	if len(points) > 1 {
		for _, p := range points {
			r, b, _, _, _ := p.fastRatio(honest)
			res.Sweep = append(res.Sweep, SweepPoint{Clients: p.clients, ThroughputTPS: p.throughput(),
				LatencyMS: p.latency(), FastPathRatio: r, AvgBatch: b, CPU: p.cpu()})
		}
	}
	for _, id := range honest {
		if m, ok := final[id]; ok {
			res.ViewChangesAll = max(res.ViewChangesAll, m.ViewChanges)
			res.View = max(res.View, m.View)
		}
	}
	var err error
	var others []comparePoint
	if o.Compare != "" {
		if others, err = readCompare(o.Compare); err != nil {
			return nil, err
		}
	}
	if res.Charts, err = writeCharts(o.Out, main, points, others, o.Warmup.Seconds()); err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	if err := writeJSON(o.Out, res); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	return res, nil
}

// consistent is the verdict of the final check: the replicas agree and, unless it could not be
// checked against an existing cluster (MoneyUnchecked), the money matches the results.
func consistent(cons Consistency) bool {
	if !cons.Checked || !cons.DigestsAgree {
		return false
	}
	return cons.MoneyUnchecked != "" || cons.Unresolved == 0 && moneyMatches(cons)
}

func moneyMatches(cons Consistency) bool {
	if len(cons.MoneyReplicas) == 0 {
		return false
	}
	for _, m := range cons.MoneyReplicas {
		if m != cons.MoneyExpected {
			return false
		}
	}
	return true
}

func (o *Options) setup(c *benchCluster, started time.Time) Setup {
	s := Setup{Cluster: "local", Replicas: c.cfg.N(), Down: []string{}, Byzantine: c.cfg.Byzantine,
		Accounts: c.accounts(), HotspotAccounts: o.HotspotAccounts, HotspotProb: o.HotspotProb,
		DurationS: o.Duration.Seconds(), WarmupS: o.Warmup.Seconds(), MaxBatch: c.cfg.Batch.MaxRequests,
		MaxInflight: c.cfg.Batch.MaxInflight, PipelineBatch: c.cfg.Batch.PipelineBatch,
		FillWaitMS: float64(max(0, c.cfg.Batch.FillWait)) / float64(time.Millisecond),
		Checkpoint: c.cfg.CheckpointInterval, Seed: o.Seed, Started: started}
	if o.ConfigPath != "" {
		s.Cluster = o.ConfigPath
	}
	for id := pbft.NodeID(1); int(id) <= c.cfg.N(); id++ {
		if c.down[id] {
			s.Down = append(s.Down, id.String())
		}
	}
	if s.Byzantine == nil {
		s.Byzantine = map[string][]string{}
	}
	return s
}

func replicaResults(c *benchCluster, final map[pbft.NodeID]controlapi.Metrics) map[string]Replica {
	out := map[string]Replica{}
	for id, m := range final {
		out[id.String()] = Replica{Byzantine: c.byzantine[id], ExecutedRequests: m.ExecutedRequests,
			ExecutedSlot: m.ExecutedSlot, View: m.View, StateDigest: m.StateDigest, MoneyTotal: m.MoneyTotal,
			RSSMB: float64(m.Memory.RSSBytes) / (1 << 20), HeapMB: float64(m.Memory.HeapBytes) / (1 << 20),
			Rejected: m.Rejected, Fsyncs: m.Fsyncs}
	}
	return out
}

// printSummary prints the results as a short report.
func printSummary(w io.Writer, r *Results, dir string) {
	fmt.Fprintf(w, "SmallBank: %d clients, %d accounts, %s, %.0f s measured after %.0f s warm-up\n",
		r.Clients, r.Setup.Accounts, accessLabel(r.Setup), r.Setup.DurationS, r.Setup.WarmupS)
	fmt.Fprintf(w, "throughput  %.0f tx/s (%d committed, %d failed, %d errors)\n", r.ThroughputTPS, r.Committed, r.Failed, r.Errors)
	l := r.LatencyMS
	fmt.Fprintf(w, "latency     p50 %.1f ms, p90 %.1f, p99 %.1f, max %.1f (mean %.1f)\n", l.P50, l.P90, l.P99, l.Max, l.Mean)
	fmt.Fprintf(w, "slots       fast-path ratio %.2f (%d fast, %d slow), %.1f requests per slot, %d view changes (%d since start, view %d)\n",
		r.FastPathRatio, r.FastSlots, r.SlowSlots, r.AvgBatch, r.ViewChanges, r.ViewChangesAll, r.View)
	if r.CPU != nil {
		fmt.Fprintf(w, "cpu         %s\n", r.CPU)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "transaction\tok\tfailed\terrors\t")
	for _, k := range kindsInOrder() {
		c := r.PerType[k.String()]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", k, c.OK, c.Failed, c.Errors)
	}
	tw.Flush()
	for _, p := range r.Sweep {
		cpu := ""
		if p.CPU != nil {
			cpu = fmt.Sprintf(", cpu %.0f µs/tx", p.CPU.PerTxUS)
		}
		fmt.Fprintf(w, "sweep %4d clients: %7.0f tx/s, p50 %.1f ms, p99 %.1f ms%s\n", p.Clients, p.ThroughputTPS, p.LatencyMS.P50, p.LatencyMS.P99, cpu)
	}
	names := make([]string, 0, len(r.Replicas))
	for n := range r.Replicas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rep := r.Replicas[n]
		fmt.Fprintf(w, "%s: slot %d, view %d, RSS %.0f MB, heap %.0f MB, %d fsyncs\n", n, rep.ExecutedSlot, rep.View, rep.RSSMB, rep.HeapMB, rep.Fsyncs)
	}
	printChecks(w, r.Consistency.Replicas)
	verdict := "consistent"
	if !r.Consistent {
		verdict = "NOT consistent"
	}
	fmt.Fprintf(w, "check       %s: %s\n", verdict, r.Consistency.Detail)
	fmt.Fprintf(w, "history     %s\n", linearizabilityText(r.Linearizability))
	fmt.Fprintf(w, "results     %s/results.json, charts %v\n", dir, r.Charts)
}

func accessLabel(s Setup) string {
	if s.HotspotAccounts > 0 {
		return fmt.Sprintf("hotspot (%d accounts, p=%.2f)", s.HotspotAccounts, s.HotspotProb)
	}
	return "uniform access"
}

// linearizabilityText is the summary line of the linearizability check.
func linearizabilityText(l Linearizability) string {
	verdict := map[string]string{"Ok": "linearizable", "Illegal": "NOT linearizable: " + l.History,
		"Unknown": "linearizability unknown (the check timed out)", "off": "not checked (--lincheck-ops 0)"}[l.Result]
	if l.Result == "off" {
		return verdict
	}
	if l.Result == "skipped" {
		return "linearizability not checked: " + l.Skipped
	}
	return fmt.Sprintf("%s: first %d operations (%.1f s of the run, %d without response), %d components, largest %d, checked in %.0f ms",
		verdict, l.Ops, l.WindowS, l.Pending, l.Components, l.Largest, l.CheckMS)
}

// printChecks prints what each replica of an existing cluster answered in the final check.
func printChecks(w io.Writer, checks map[string]ReplicaCheck) {
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rc := checks[n]
		switch {
		case !rc.Checked:
			fmt.Fprintf(w, "%s: unchecked: %s\n", n, rc.Why)
		case rc.MoneyTotal != nil:
			fmt.Fprintf(w, "%s: slot %d, digest %.8s, money %d\n", n, rc.Executed, rc.StateDigest, *rc.MoneyTotal)
		default:
			fmt.Fprintf(w, "%s: slot %d, digest %.8s\n", n, rc.Executed, rc.StateDigest)
		}
	}
}
