package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// ChaosResults is OUT/results.json of a chaos run.
type ChaosResults struct {
	Mode    string `json:"mode"` // random, rolling or faults
	Passed  bool   `json:"passed"`
	Verdict string `json:"verdict"`

	Kills       int    `json:"kills"`        // replica processes killed with SIGKILL
	Faults      int    `json:"faults"`       // faults injected through the admin endpoints (--chaos faults)
	Rounds      int    `json:"rounds"`       // kill-and-restart rounds
	AllKills    int    `json:"all_kills"`    // rounds that killed every replica at once
	QuorumKills int    `json:"quorum_kills"` // rounds that killed more than f (no quorum until the restart)
	Restarts    int    `json:"restarts"`     // replica processes restarted from their data directories
	Cycles      int    `json:"cycles,omitempty"`
	Failure     string `json:"failure,omitempty"` // a replica that would not restart or catch up

	ChaosS        float64 `json:"chaos_s"`        // length of the chaos phase
	AckedInChaos  int     `json:"acked_in_chaos"` // acknowledgements during the chaos phase
	ThroughputTPS float64 `json:"throughput_tps"` // acknowledgements per second of the chaos phase
	WarmupTPS     float64 `json:"warmup_tps"`     // acknowledgements per second before it, without faults
	// MaxStallMS is the longest time without any acknowledgement during the chaos phase.
	MaxStallMS float64 `json:"max_stall_ms"`
	ReadyMS    Summary `json:"ready_ms"`    // restart to ready, per round
	ResumeMS   Summary `json:"resume_ms"`   // rounds killing more than f: restart to the first acknowledgement
	CatchUpMS  Summary `json:"catch_up_ms"` // rolling: ready to caught up

	Sealed       int                `json:"sealed"` // clients whose final zero deposit was acknowledged
	Accounting   Accounting         `json:"accounting"`
	DigestsAgree bool               `json:"digests_agree"`
	Divergent    int                `json:"divergent"` // replicas whose slot, digest, balances or money differ from the others'
	ExecutedSlot uint64             `json:"executed_slot"`
	StateDigest  string             `json:"state_digest"`
	Replicas     map[string]Replica `json:"replicas"`
	Ledgers      []LedgerCheck      `json:"ledgers,omitempty"` // each data directory's ledger, verified after the run
	clients      int                // the clients whose histories were checked

	Setup    ChaosSetup      `json:"setup"`
	Timeline []TimelinePoint `json:"timeline"` // acknowledgements per second, warm-up included
	Log      []ChaosRound    `json:"rounds_log"`
}

// Summary is a few percentiles of a list of durations, in milliseconds.
type Summary struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	Max float64 `json:"max"`
}

// ChaosSetup is how the chaos run was configured, and the machine's load around it.
type ChaosSetup struct {
	Setup
	Clients      int     `json:"clients"`
	IntervalMS   float64 `json:"interval_ms"`
	DowntimeMS   float64 `json:"downtime_ms"`
	MaxDown      int     `json:"max_down"`
	AllEvery     int     `json:"all_every"`
	OpTimeoutMS  float64 `json:"op_timeout_ms"`
	CPUs         int     `json:"cpus"`
	LoadAvgStart string  `json:"loadavg_start"` // /proc/loadavg: 1, 5, 15 minutes
	LoadAvgEnd   string  `json:"loadavg_end"`
}

func (o *Options) chaosSetup(c *benchCluster, started time.Time) ChaosSetup {
	ch := o.Chaos
	return ChaosSetup{Setup: o.setup(c, started), Clients: o.Clients, IntervalMS: ms(ch.Interval),
		DowntimeMS: ms(ch.Downtime), MaxDown: ch.MaxDown, AllEvery: ch.AllEvery, OpTimeoutMS: ms(o.OpTimeout),
		CPUs: runtime.NumCPU()}
}

// loadAvg is the machine's load average (empty where /proc/loadavg does not exist).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func summarize(v []float64) Summary {
	if len(v) == 0 {
		return Summary{}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	at := func(q float64) float64 { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return Summary{N: len(s), P50: at(0.5), P90: at(0.9), Max: s[len(s)-1]}
}

// fromKiller counts the rounds.
func (r *ChaosResults) fromKiller(k *killer, f int) {
	n := k.c.cfg.N()
	var ready, catchUp []float64
	for _, rd := range k.rounds {
		r.Rounds++
		r.Kills += len(rd.Killed)
		r.Faults += len(rd.Faults)
		if len(rd.Killed) == n {
			r.AllKills++
		}
		if len(rd.Killed) > f {
			r.QuorumKills++
		}
		ready = append(ready, rd.ReadyMS)
		if rd.CatchUpMS > 0 {
			catchUp = append(catchUp, rd.CatchUpMS)
		}
	}
	r.ReadyMS, r.CatchUpMS = summarize(ready), summarize(catchUp)
	r.Cycles, r.Restarts = k.cycles, k.restarts
	if k.failure != nil {
		r.Failure = k.failure.Error()
	}
	r.ChaosS = k.to.Sub(k.from).Seconds()
	r.Log = k.rounds
}

// fromLoad measures throughput, stalls and recovery from the acknowledgement times.
func (r *ChaosResults) fromLoad(l *chaosLoad, k *killer, f int) {
	var acks []time.Time
	for _, cc := range l.clients {
		for _, op := range cc.ledger.Ops {
			if op.Outcome != opUnknown {
				acks = append(acks, op.End)
			}
		}
	}
	sort.Slice(acks, func(i, j int) bool { return acks[i].Before(acks[j]) })
	r.Timeline = ackTimeline(acks, l.start)
	prev := k.from
	warm := 0
	for _, t := range acks {
		if t.Before(k.from) {
			warm++
			continue
		}
		if t.After(k.to) {
			continue
		}
		r.AckedInChaos++
		r.MaxStallMS = max(r.MaxStallMS, ms(t.Sub(prev)))
		prev = t
	}
	if w := k.from.Sub(l.start).Seconds(); w > 0 {
		r.WarmupTPS = float64(warm) / w
	}
	if r.ChaosS > 0 {
		r.ThroughputTPS = float64(r.AckedInChaos) / r.ChaosS
		r.MaxStallMS = max(r.MaxStallMS, ms(k.to.Sub(prev)))
	}
	var resume []float64
	for _, rd := range k.rounds {
		if len(rd.Killed) <= f {
			continue
		}
		i := sort.Search(len(acks), func(i int) bool { return !acks[i].Before(rd.restartAt) })
		if i < len(acks) {
			resume = append(resume, ms(acks[i].Sub(rd.restartAt)))
		}
	}
	r.ResumeMS = summarize(resume)
}

// ackTimeline counts acknowledgements per second since start.
func ackTimeline(acks []time.Time, start time.Time) []TimelinePoint {
	var counts []int
	for _, t := range acks {
		s := int(t.Sub(start) / time.Second)
		for len(counts) <= s {
			counts = append(counts, 0)
		}
		counts[s]++
	}
	out := make([]TimelinePoint, len(counts))
	for i, c := range counts {
		out[i] = TimelinePoint{TimeS: float64(i) + 0.5, TPS: float64(c)}
	}
	return out
}

// check waits for the replicas to agree, then checks their balances against the ledgers.
func (r *ChaosResults) check(ctx context.Context, c *benchCluster, opening map[string]int64, ledgers []clientLedger) {
	honest := c.honest()
	last, agreed := converge(ctx, c, honest)
	r.DigestsAgree = agreed
	r.Divergent = divergent(last, honest)
	r.Replicas = replicaResults(c, last)
	if m, ok := last[honest[0]]; ok && agreed {
		r.ExecutedSlot, r.StateDigest = m.ExecutedSlot, m.StateDigest
	}
	final, odd := finalBalances(ctx, c, honest)
	r.Divergent = max(r.Divergent, odd)
	r.Accounting = account(opening, final, ledgers)
	for _, id := range honest {
		if m, ok := last[id]; !ok || m.MoneyTotal != r.Accounting.MoneyFinal {
			r.Divergent = max(r.Divergent, 1)
			r.Accounting.problem("%s reports money %d, its balances add up to %d", id, m.MoneyTotal, r.Accounting.MoneyFinal)
		}
	}
	r.Setup.LoadAvgEnd = loadAvg()
	r.clients = len(ledgers)
	r.verdict()
}

// divergent is how many replicas do not report the most common (executed slot, digest).
func divergent(m map[pbft.NodeID]controlapi.Metrics, honest []pbft.NodeID) int {
	count := map[string]int{}
	best := 0
	for _, id := range honest {
		mm, ok := m[id]
		if !ok {
			continue
		}
		k := fmt.Sprintf("%d/%s", mm.ExecutedSlot, mm.StateDigest)
		count[k]++
		best = max(best, count[k])
	}
	return len(honest) - best
}

// finalBalances reads every replica's balances; it returns the most common and how many
// replicas differ from it (or did not answer).
func finalBalances(ctx context.Context, c *benchCluster, honest []pbft.NodeID) (map[string]int64, int) {
	var all []map[string]int64
	for _, id := range honest {
		if b, err := c.replicas[id].Control().Balances(ctx); err == nil {
			all = append(all, b)
		}
	}
	best, bestN := map[string]int64{}, 0
	for _, a := range all {
		n := 0
		for _, b := range all {
			if sameBalances(a, b) {
				n++
			}
		}
		if n > bestN {
			best, bestN = a, n
		}
	}
	return best, len(honest) - bestN
}

// verdict decides whether the run passed and says why in one line.
func (r *ChaosResults) verdict() {
	clients := r.clients
	a := &r.Accounting
	var bad []string
	if r.Failure != "" {
		bad = append(bad, r.Failure)
	}
	if r.Sealed < clients {
		bad = append(bad, fmt.Sprintf("only %d of %d clients sealed their history", r.Sealed, clients))
	}
	if !r.DigestsAgree || r.Divergent > 0 {
		bad = append(bad, fmt.Sprintf("%d replicas diverge", r.Divergent))
	}
	if !a.ok() {
		bad = append(bad, fmt.Sprintf("accounting: %d lost, %d duplicated, %d unexplained, %d slot-order violations, %d other accounts changed, money %d expected %d",
			a.Lost, a.Duplicated, a.Unexplained, a.SlotOrder, a.OthersChanged, a.MoneyFinal, a.MoneyExpected))
	}
	bad = append(bad, r.ledgerProblems()...)
	r.Passed = len(bad) == 0
	if r.Passed {
		r.Verdict = fmt.Sprintf("%d acknowledged requests all in the final state exactly once (%d unknown, %d of them executed); %d replicas agree on slot %d; money %d",
			a.Acknowledged, a.Unknown, a.UnknownExecuted, len(r.Replicas), r.ExecutedSlot, a.MoneyFinal)
		return
	}
	r.Verdict = strings.Join(bad, "; ")
}

// printChaos prints the chaos results as a short report.
func printChaos(w io.Writer, r *ChaosResults, dir string) {
	fmt.Fprintf(w, "chaos %s: %d clients, %.0f s of chaos after %.0f s warm-up (CPUs %d, load %s → %s)\n",
		r.Mode, r.Setup.Clients, r.ChaosS, r.Setup.WarmupS, r.Setup.CPUs, r.Setup.LoadAvgStart, r.Setup.LoadAvgEnd)
	if r.Mode == ChaosFaults {
		fmt.Fprintf(w, "faults      %d in %d rounds (pause, sever or an attack; at most f replicas at once)", r.Faults, r.Rounds)
	} else {
		fmt.Fprintf(w, "kills       %d in %d rounds (%d of all %d replicas, %d of more than f), %d restarts",
			r.Kills, r.Rounds, r.AllKills, r.Setup.Replicas, r.QuorumKills, r.Restarts)
	}
	if r.Mode == ChaosRolling {
		fmt.Fprintf(w, ", %d full cycles", r.Cycles)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "load        %.0f tx/s acknowledged during chaos (%d; %.0f tx/s before), longest stall %.0f ms\n", r.ThroughputTPS, r.AckedInChaos, r.WarmupTPS, r.MaxStallMS)
	if r.Mode != ChaosFaults {
		fmt.Fprintf(w, "recovery    ready p50 %.0f ms, max %.0f; service back after a quorum loss p50 %.0f ms, max %.0f",
			r.ReadyMS.P50, r.ReadyMS.Max, r.ResumeMS.P50, r.ResumeMS.Max)
		if r.CatchUpMS.N > 0 {
			fmt.Fprintf(w, "; caught up p50 %.0f ms, max %.0f", r.CatchUpMS.P50, r.CatchUpMS.Max)
		}
		fmt.Fprintln(w)
	}
	a := r.Accounting
	fmt.Fprintf(w, "accounting  %d acknowledged, %d lost, %d duplicated, %d unknown (%d executed), %d unexplained, money %d (expected %d)\n",
		a.Acknowledged, a.Lost, a.Duplicated, a.Unknown, a.UnknownExecuted, a.Unexplained, a.MoneyFinal, a.MoneyExpected)
	fmt.Fprintf(w, "replicas    %d divergent; slot %d, digest %.16s\n", r.Divergent, r.ExecutedSlot, r.StateDigest)
	if len(r.Ledgers) > 0 {
		valid := 0
		for _, l := range r.Ledgers {
			if l.Valid {
				valid++
			}
		}
		fmt.Fprintf(w, "ledgers     %d of %d valid (pbft ledger verify on every data directory after the run)\n", valid, len(r.Ledgers))
	}
	for _, p := range a.Problems {
		fmt.Fprintf(w, "  problem: %s\n", p)
	}
	verdict := "PASSED"
	if !r.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "check       %s: %s\n", verdict, r.Verdict)
	fmt.Fprintf(w, "results     %s/results.json\n", dir)
}
