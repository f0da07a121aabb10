package runner

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/bftbank/pbft/pbft/node/controlapi"
)

func (r *run) printSetHeader(s *setRun) {
	fmt.Fprintf(r.out, "\n=== set %s (line %d): live %s, byzantine %s, attacks %s\n", s.set.Number, s.set.Line,
		list(nodeNames(s.set.Live)), list(nodeNames(s.set.Byzantine)), list(attackStrings(s.set.Attacks)))
}

func nodeNames(ids []int) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = nodeName(id)
	}
	return out
}

func list(items []string) string { return "[" + strings.Join(items, ", ") + "]" }

// printResults prints one line per operation, the read results and a summary.
func (r *run) printResults(s *setRun) {
	w := r.out
	results := s.flatResults()
	fmt.Fprintf(w, "  %4s  %-26s %-14s %5s  %-28s %10s\n", "line", "transaction", "outcome", "seq", "result", "latency")
	committed := 0
	var reads []string
	for _, res := range results {
		fmt.Fprintf(w, "  %4d  %-26s %-14s %5s  %-28s %7.1f ms\n", res.line, res.plan.text, res.outcome,
			seqText(res), resultText(res), ms(res.latency))
		if res.outcome == outcomeCommitted {
			committed++
		}
		if res.plan.op.ReadOnly() {
			reads = append(reads, readText(res))
		}
	}
	if len(reads) > 0 {
		fmt.Fprintf(w, "reads: %s\n", strings.Join(reads, " "))
	}
	f := &s.facts
	state := fmt.Sprintf("live replicas agree at slot %d", f.slot)
	if lagging := s.laggingReplicas(); f.converged && len(lagging) > 0 {
		state = fmt.Sprintf("the honest live replicas agree at slot %d", f.slot)
	}
	if !f.converged {
		state = "live replicas did NOT converge before the deadline"
	}
	fmt.Fprintf(w, "set %s: %d of %d committed; %s; %s; %s (%.1f s)\n",
		s.set.Number, committed, len(results), viewSummary(f.view, f.viewActive, newViewNumbers(f.newViews)), state, s.verdict.summary(), f.duration.Seconds())
	for _, p := range f.problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	for _, e := range s.viewExplanations() {
		fmt.Fprintf(w, "  %s\n", e)
	}
	if f.converged {
		for _, e := range s.laggingReplicas() {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// laggingReplicas explains every Byzantine replica whose state differs from the one the
// honest replicas agree on (see converge).
func (s *setRun) laggingReplicas() []string {
	honest := s.honestMetrics(s.facts.metrics)
	var ref *controlapi.Metrics
	for _, m := range honest {
		ref = &m
		break
	}
	var out []string
	for _, id := range s.set.Live {
		m, ok := s.facts.metrics[id]
		if _, isHonest := honest[id]; !ok || isHonest || ref == nil || m.ExecutedSlot == ref.ExecutedSlot && m.StateDigest == ref.StateDigest {
			continue
		}
		out = append(out, fmt.Sprintf("%s (Byzantine) is at slot %d while the honest replicas agree at slot %d: a Byzantine replica need not catch up (one whose messages fail verification or are withheld cannot fetch what it missed), so its balances are its own",
			nodeName(id), m.ExecutedSlot, ref.ExecutedSlot))
	}
	return out
}

func seqText(res opResult) string {
	switch {
	case res.outcome != outcomeCommitted:
		return "-"
	case res.readOnly:
		return "read"
	}
	return fmt.Sprint(res.seq)
}

func resultText(res opResult) string {
	if res.outcome != outcomeCommitted {
		return res.errorText
	}
	if res.plan.op.ReadOnly() && res.result.OK {
		return fmt.Sprintf("ok, value %d", res.result.Value)
	}
	return res.result.String()
}

func readText(res opResult) string {
	if res.outcome == outcomeCommitted && res.result.OK {
		return fmt.Sprintf("%s=%d", res.plan.op.Account, res.result.Value)
	}
	return res.plan.op.Account + "=?"
}

// balancesLine prints balances as `A=9 B=9 C=9`, in account order.
func (r *run) balancesLine(b map[string]int64) string {
	parts := make([]string, 0, len(r.accounts))
	for _, a := range r.accounts {
		if v, ok := b[a]; ok {
			parts = append(parts, fmt.Sprintf("%s=%d", a, v))
		} else {
			parts = append(parts, a+"=?")
		}
	}
	return strings.Join(parts, " ")
}

// printDebug prints every replica's balances beside the expected ones, and the replicas' logs.
func (r *run) printDebug(ctx context.Context, s *setRun) {
	w := r.out
	all, committed := r.expectedBalances(s.index), s.expectedCommitted()
	fmt.Fprintf(w, "balances after set %s\n  expected (every transaction, in file order): %s\n", s.set.Number, r.balancesLine(all))
	if !sameBalances(r.accounts, all, committed) {
		fmt.Fprintf(w, "  expected (committed transactions only):       %s\n", r.balancesLine(committed))
	}
	for id := 1; id <= scenarioN; id++ {
		b, ok := s.facts.balances[id]
		note := ""
		switch {
		case !s.live(id):
			note = "(down: initial balances)"
		case !ok:
			note = "(unavailable)"
		case sameBalances(r.accounts, b, all):
			note = "(as expected)"
		case sameBalances(r.accounts, b, committed):
			note = "(as expected from the committed transactions)"
		default:
			note = "(DIFFERS: " + diffText(r.accounts, b, committed) + ")"
		}
		fmt.Fprintf(w, "  %s: %s  %s\n", nodeName(id), r.balancesLine(b), note)
	}
	for _, id := range s.set.Live {
		if m, ok := s.facts.metrics[id]; ok {
			fmt.Fprintf(w, "  %s\n", metricsText(id, m))
		}
	}
	for _, id := range s.set.Live {
		s.printLog(ctx, w, id, logFilter{limit: -1})
	}
}

func sameBalances(accounts []string, a, b map[string]int64) bool {
	return diffText(accounts, a, b) == ""
}

// diffText lists the accounts where got differs from want.
func diffText(accounts []string, got, want map[string]int64) string {
	var diffs []string
	for _, a := range accounts {
		if got[a] != want[a] {
			diffs = append(diffs, fmt.Sprintf("%s=%d want %d", a, got[a], want[a]))
		}
	}
	return strings.Join(diffs, ", ")
}

func (s *setRun) printLog(ctx context.Context, w io.Writer, id int, f logFilter) {
	rep, ok := s.replicas[id]
	if !ok {
		fmt.Fprintf(w, "%s is down in this set: its log is empty\n", nodeName(id))
		return
	}
	cctx, cancel := context.WithTimeout(ctx, s.timing.Call)
	defer cancel()
	lines, err := rep.Control().Log(cctx)
	if err != nil {
		fmt.Fprintf(w, "%s: log unavailable: %v\n", nodeName(id), err)
		return
	}
	f.printLines(w, nodeName(id), lines)
}

// newViewText prints a NEW-VIEW with its view changes (V) and pre-prepares (O).
func newViewText(nv controlapi.NewView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "NEW-VIEW v=%d from %s: %d view-changes, %d pre-prepares\n", nv.View,
		leaderName(nv.View), len(nv.ViewChanges), len(nv.PrePrepares))
	for _, vc := range nv.ViewChanges {
		fmt.Fprintf(&b, "  V: VIEW-CHANGE from %s, stable checkpoint %d, prepared [%s], votes [%s]\n",
			nodeName(vc.Replica), vc.Stable, preparedText(vc.Prepared), votesText(vc.Votes))
	}
	var o []string
	for _, pp := range nv.PrePrepares {
		if pp.Noop {
			o = append(o, fmt.Sprintf("s=%d no-op", pp.Seq))
		} else {
			o = append(o, fmt.Sprintf("s=%d d=%s (%d requests)", pp.Seq, pp.Digest, pp.Requests))
		}
	}
	if len(o) == 0 {
		o = []string{"empty"}
	}
	fmt.Fprintf(&b, "  O: %s\n", strings.Join(o, "; "))
	return b.String()
}

func preparedText(ps []controlapi.Prepared) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("s=%d v=%d %s d=%s", p.Seq, p.View, p.Type, p.Digest)
	}
	return strings.Join(out, "; ")
}

func votesText(vs []controlapi.Vote) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("s=%d v=%d d=%s", v.Seq, v.View, v.Digest)
	}
	return strings.Join(out, "; ")
}

// metricsText is command 5's line for one replica.
func metricsText(id int, m controlapi.Metrics) string {
	l := m.LatencyMS
	r := m.Rejected
	return fmt.Sprintf("%s: throughput %.1f tx/s (%d requests in %d slots); latency avg %.1f ms, p50 %.1f, p90 %.1f, p99 %.1f, max %.1f ms; %s; %d fast and %d slow commits; rejected: %d bad signatures, %d bad shares, %d conflicting pre-prepares, %d other; %d not authorized",
		nodeName(id), m.ThroughputTPS, m.ExecutedRequests, m.ExecutedSlots, l.Avg, l.P50, l.P90, l.P99, l.Max,
		replicaViewText(m), m.FastCommits, m.SlowCommits, r.BadSignature, r.BadShare, r.ConflictingPrePrepare, r.Other,
		m.NotAuthorized)
}
