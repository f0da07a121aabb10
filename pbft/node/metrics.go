package node

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// maxSamples bounds the latency samples kept (a reservoir beyond that): enough for exact
// percentiles at scenario sizes and bounded memory in long benchmarks.
const maxSamples = 100_000

// metrics measures latency and throughput at this replica (command 5). Latency is the time
// from the first sighting of a request (from its client, forwarded, or in a pre-prepare) to
// its execution. It is owned by the protocol loop.
type metrics struct {
	firstSeen map[pbft.ClientID]sighting // the latest request of each client (clients are closed-loop)
	start     time.Time                  // the first request seen
	lastExec  time.Time                  // the last execution

	count   uint64 // latencies recorded
	sum     time.Duration
	max     time.Duration
	samples []time.Duration // reservoir
	rnd     *rand.Rand
	hist    prometheus.Observer // the same latencies for the admin endpoint (nil: none)
}

// sighting is when a replica first saw a client's request.
type sighting struct {
	t    uint64
	at   time.Time
	done bool
}

func newMetrics() *metrics {
	return &metrics{firstSeen: map[pbft.ClientID]sighting{}, rnd: rand.New(rand.NewPCG(1, 2))}
}

// seen records the first sighting of a request; retransmissions and older requests do not
// move it.
func (m *metrics) seen(r *pbft.Request, at time.Time) {
	if r.ReadOnly {
		return
	}
	if s, ok := m.firstSeen[r.Client]; ok && r.Timestamp <= s.t {
		return
	}
	m.firstSeen[r.Client] = sighting{t: r.Timestamp, at: at}
	if m.start.IsZero() || at.Before(m.start) {
		m.start = at
	}
}

// executed records the latency of a request that executed now (a duplicate reply of a
// request already measured is ignored).
func (m *metrics) executed(c pbft.ClientID, t uint64, now time.Time) {
	s, ok := m.firstSeen[c]
	if !ok || s.t != t || s.done {
		return
	}
	s.done = true
	m.firstSeen[c] = s
	m.record(max(0, now.Sub(s.at)))
}

func (m *metrics) record(d time.Duration) {
	if m.hist != nil {
		m.hist.Observe(d.Seconds())
	}
	m.count++
	m.sum += d
	m.max = max(m.max, d)
	if len(m.samples) < maxSamples {
		m.samples = append(m.samples, d)
		return
	}
	if k := m.rnd.Uint64N(m.count); k < maxSamples {
		m.samples[k] = d
	}
}

// executedSlot notes an execution for the throughput window.
func (m *metrics) executedSlot(now time.Time) { m.lastExec = now }

// latencySnapshot is a copy of the latency state, so that sorting happens off the loop.
type latencySnapshot struct {
	count   uint64
	sum     time.Duration
	max     time.Duration
	samples []time.Duration
}

func (m *metrics) snapshot() latencySnapshot {
	return latencySnapshot{count: m.count, sum: m.sum, max: m.max, samples: slices.Clone(m.samples)}
}

// throughput is executed requests per second over the window from the first request seen to
// the last execution.
func (m *metrics) throughput(executed uint64) float64 {
	if m.start.IsZero() || !m.lastExec.After(m.start) {
		return 0
	}
	return float64(executed) / m.lastExec.Sub(m.start).Seconds()
}

// summary computes the average, the maximum and nearest-rank percentiles of the samples.
func (l latencySnapshot) summary() controlapi.Latency {
	if l.count == 0 {
		return controlapi.Latency{}
	}
	slices.Sort(l.samples)
	return controlapi.Latency{
		Avg: ms(l.sum / time.Duration(l.count)),
		P50: ms(percentile(l.samples, 50)),
		P90: ms(percentile(l.samples, 90)),
		P99: ms(percentile(l.samples, 99)),
		Max: ms(l.max),
	}
}

// percentile is the nearest-rank p-th percentile of sorted samples.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	return sorted[max(rank, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
