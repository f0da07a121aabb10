package sim

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bftbank/pbft/client/lincheck"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// history is every client operation as its client saw it: invoked when the client first sends
// it, answered when the client accepts a result (a read that falls back to ordering keeps its
// first invocation).
//
// Times are ticks refined by the order of events within the tick (stamp): a client that
// accepts a result and the client that sends a request later in the same tick are in real-time
// order, which porcupine, whose intervals are closed, would otherwise take as concurrent.
type history struct {
	ops  []lincheck.Op
	tick uint64 // the tick of the last stamp
	seq  int64  // events stamped in that tick
}

// eventsPerTick bounds the events of one tick that stamp tells apart.
const eventsPerTick = 1 << 20

// stamp is the time of an event now: later events get larger stamps.
func (h *history) stamp(now uint64) int64 {
	if now != h.tick {
		h.tick, h.seq = now, 0
	}
	h.seq = min(h.seq+1, eventsPerTick-1)
	return int64(now)*eventsPerTick + h.seq
}

// begin records client c's invocation of op and returns its index.
func (h *history) begin(c *simClient, op smallbank.Op, now uint64) int {
	h.ops = append(h.ops, lincheck.Op{Client: c.idx, Input: op, Call: h.stamp(now)})
	return len(h.ops) - 1
}

// end records the response to operation i.
func (h *history) end(i int, now uint64, res smallbank.Result) {
	h.ops[i].Return, h.ops[i].Result, h.ops[i].Done = h.stamp(now), res, true
}

// orderedQuorum is the number of matching replies that complete an ordered request.
func (s *Sim) orderedQuorum() int {
	if s.opts.OrderedQuorum > 0 {
		return s.opts.OrderedQuorum
	}
	return 2*s.opts.F + 1
}

// History is every client operation so far (an operation still outstanding has no response);
// times are ticks × 2^20 plus the event's rank within its tick.
func (s *Sim) History() []lincheck.Op { return append([]lincheck.Op(nil), s.hist.ops...) }

// CheckLinearizable checks the clients' history against a sequential bank whose accounts are
// the clients', opened with the run's balance.
func (s *Sim) CheckLinearizable() lincheck.Result {
	exists := func(name string) bool { return s.clientByID(pbft.ClientID(name)) != nil }
	return lincheck.Check(s.History(), lincheck.Uniform(exists, s.opts.Balance, 0), 0)
}

// CheckHistory is CheckLinearizable as an error: nil if the history is linearizable, else one
// that names the seed and the HTML visualization written into dir.
func (s *Sim) CheckHistory(dir string) error {
	res := s.CheckLinearizable()
	if res.Linearizable() {
		return nil
	}
	path := filepath.Join(dir, fmt.Sprintf("pbft-sim-seed%d-history.html", s.opts.Seed))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return s.fail(fmt.Errorf("history %s; cannot write it: %w", res, err))
	}
	if err := res.Visualize(path); err != nil {
		return s.fail(fmt.Errorf("history %s; cannot visualize it: %w", res, err))
	}
	return s.fail(fmt.Errorf("history %s: see %s", res, path))
}
