package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
	"github.com/bftbank/pbft/pbft/node/cpustat"
)

// Results is OUT/results.json.
type Results struct {
	ThroughputTPS  float64               `json:"throughput_tps"`
	LatencyMS      LatencyMS             `json:"latency_ms"`
	Committed      uint64                `json:"committed"` // measured window: ordered and executed, or read
	Failed         uint64                `json:"failed"`    // committed, but the transaction failed
	Errors         uint64                `json:"errors"`    // no quorum before --op-timeout
	FastPathRatio  float64               `json:"fast_path_ratio"`
	FastSlots      uint64                `json:"fast_slots"`
	SlowSlots      uint64                `json:"slow_slots"`
	AvgBatch       float64               `json:"avg_batch"`          // requests per executed slot
	ViewChanges    uint64                `json:"view_changes"`       // during the measured window
	ViewChangesAll uint64                `json:"view_changes_total"` // since the replicas started (warm-up included)
	View           uint64                `json:"view"`               // highest view of an honest replica at the end
	Consistent     bool                  `json:"consistent"`
	Consistency    Consistency           `json:"consistency"`
	PerType        map[string]kindCounts `json:"per_type"`
	CPU            *CPUUse               `json:"cpu,omitempty"` // nil where no replica reported its CPU time
	Clients        int                   `json:"clients"`
	Setup          Setup                 `json:"setup"`
	Replicas       map[string]Replica    `json:"replicas"`
	Timeline       []TimelinePoint       `json:"timeline"`
	Sweep          []SweepPoint          `json:"sweep,omitempty"`
	Charts         []string              `json:"charts"`
	// Linearizable is true when porcupine found the window of Linearizability linearizable.
	Linearizable    bool            `json:"linearizable"`
	Linearizability Linearizability `json:"linearizability"`
}

// LatencyMS summarizes the latency histogram of the measured window, in milliseconds.
type LatencyMS struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

// Setup records how the run was configured.
type Setup struct {
	Cluster         string              `json:"cluster"` // "local" or the --config path
	Replicas        int                 `json:"replicas"`
	Down            []string            `json:"down"`
	Byzantine       map[string][]string `json:"byzantine"`
	Accounts        int                 `json:"accounts"`
	HotspotAccounts int                 `json:"hotspot_accounts"`
	HotspotProb     float64             `json:"hotspot_prob"`
	DurationS       float64             `json:"duration_s"`
	WarmupS         float64             `json:"warmup_s"`
	MaxBatch        int                 `json:"max_batch"`
	MaxInflight     int                 `json:"max_inflight"`
	PipelineBatch   int                 `json:"pipeline_batch"`
	FillWaitMS      float64             `json:"fill_wait_ms"`
	Checkpoint      int                 `json:"checkpoint_interval"`
	Seed            uint64              `json:"seed"`
	Started         time.Time           `json:"started"`
}

// Replica is one replica's state at the end of the run.
type Replica struct {
	Byzantine        bool                `json:"byzantine"`
	ExecutedRequests uint64              `json:"executed_requests"`
	ExecutedSlot     uint64              `json:"executed_slot"`
	View             uint64              `json:"view"`
	StateDigest      string              `json:"state_digest"`
	MoneyTotal       int64               `json:"money_total"`
	RSSMB            float64             `json:"rss_mb"`
	HeapMB           float64             `json:"heap_mb"`
	Rejected         controlapi.Rejected `json:"rejected"`
	Fsyncs           uint64              `json:"fsyncs"` // synced writes since start (0: ephemeral)
}

// TimelinePoint is the throughput of one second of the run (warm-up included, up to the end of
// the measured window); TimeS is the middle of that second.
type TimelinePoint struct {
	TimeS float64 `json:"t_s"`
	TPS   float64 `json:"tps"`
}

// SweepPoint is one client count of --sweep-clients.
type SweepPoint struct {
	Clients       int       `json:"clients"`
	ThroughputTPS float64   `json:"throughput_tps"`
	LatencyMS     LatencyMS `json:"latency_ms"`
	FastPathRatio float64   `json:"fast_path_ratio"`
	AvgBatch      float64   `json:"avg_batch"`
	CPU           *CPUUse   `json:"cpu,omitempty"`
}

// Consistency is the final check (docs/design.md, "SmallBank benchmark").
type Consistency struct {
	Checked       bool             `json:"checked"`
	DigestsAgree  bool             `json:"digests_agree"`
	ExecutedSlot  uint64           `json:"executed_slot"`
	StateDigest   string           `json:"state_digest"`
	MoneyInitial  int64            `json:"money_initial"`
	MoneyChange   int64            `json:"money_change"` // Σ Result.Value of committed updates
	MoneyExpected int64            `json:"money_expected"`
	MoneyReplicas map[string]int64 `json:"money_replicas"`
	Unresolved    uint64           `json:"unresolved"` // requests whose outcome is unknown
	// MoneyUnchecked says why the money was not checked against an existing cluster (--config);
	// Replicas is what each replica's admin endpoint answered there.
	MoneyUnchecked string                  `json:"money_unchecked,omitempty"`
	Replicas       map[string]ReplicaCheck `json:"replicas,omitempty"`
	Detail         string                  `json:"detail"`
}

// point is the outcome of one measured client count.
type point struct {
	clients  int
	rec      *recorder
	duration time.Duration
	before   map[pbft.NodeID]controlapi.Metrics
	after    map[pbft.NodeID]controlapi.Metrics
	// The benchmark process's CPU time and the host's, read with before and after.
	selfBefore, selfAfter time.Duration
	hostBefore, hostAfter cpustat.Host
	hostOK                bool
}

func (p *point) throughput() float64 {
	ok, failed, _ := p.rec.committed()
	return float64(ok+failed) / p.duration.Seconds()
}

func (p *point) latency() LatencyMS {
	r := p.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	q := func(v float64) float64 { return float64(r.hist.ValueAtQuantile(v)) / 1000 }
	return LatencyMS{Mean: r.hist.Mean() / 1000, P50: q(50), P90: q(90), P99: q(99), P999: q(99.9),
		Max: float64(r.hist.Max()) / 1000}
}

// slots sums, over the honest replicas, the fast and slow commits and the executed slots
// and requests of the measured point; views is the largest number of view changes.
func (p *point) slots(honest []pbft.NodeID) (fast, slow, execSlots, execReqs, views uint64) {
	for _, id := range honest {
		a, okA := p.after[id]
		b, okB := p.before[id]
		if !okA || !okB {
			continue
		}
		fast += a.FastCommits - b.FastCommits
		slow += a.SlowCommits - b.SlowCommits
		execSlots += a.ExecutedSlots - b.ExecutedSlots
		execReqs += a.ExecutedRequests - b.ExecutedRequests
		views = max(views, a.ViewChanges-b.ViewChanges)
	}
	return
}

func (p *point) fastRatio(honest []pbft.NodeID) (ratio, avgBatch float64, fast, slow, views uint64) {
	fast, slow, slots, reqs, views := p.slots(honest)
	if fast+slow > 0 {
		ratio = float64(fast) / float64(fast+slow)
	}
	if slots > 0 {
		avgBatch = float64(reqs) / float64(slots)
	}
	return ratio, avgBatch, fast, slow, views
}

// timeline is the per-second throughput of the point.
func (p *point) timeline() []TimelinePoint {
	r := p.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	return secondsOf(r.timeline, r.measureTo.Sub(r.start))
}

// secondsOf sums completion buckets into one throughput per second, up to the end of the
// measured window only: the drain after it (clients stopping) and a bucket that was still
// filling would show as a drop that no replica caused. The last second may be shorter than
// one; its throughput is over its own width.
func secondsOf(buckets []uint64, end time.Duration) []TimelinePoint {
	n := min(len(buckets), int(end/bucketWidth))
	per := int(time.Second / bucketWidth)
	var out []TimelinePoint
	for i := 0; i < n; i += per {
		var c uint64
		for j := i; j < min(i+per, n); j++ {
			c += buckets[j]
		}
		width := float64(min(i+per, n)-i) * bucketWidth.Seconds()
		out = append(out, TimelinePoint{TimeS: float64(i)*bucketWidth.Seconds() + width/2, TPS: float64(c) / width})
	}
	return out
}

func (p *point) perType() map[string]kindCounts {
	r := p.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]kindCounts{}
	for k, c := range r.kinds {
		out[k.String()] = *c
	}
	return out
}

func writeJSON(dir string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644)
}
