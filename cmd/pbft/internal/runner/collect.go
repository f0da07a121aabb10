package runner

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/control"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// setFacts is what the runner learned from the replicas at the end of a set.
type setFacts struct {
	converged   bool
	metrics     map[int]controlapi.Metrics // live replicas that answered
	balances    map[int]map[string]int64   // every replica; down ones hold the initial balances
	maxSeq      uint64
	slot        uint64                    // the executed slot the honest live replicas agree on (when converged)
	status      map[uint64]map[int]string // seq -> replica -> PP, P, C, E or X
	newViews    []controlapi.NewView
	view        uint64 // the view at least f+1 live replicas reached (one of them honest)
	viewActive  bool   // some live replica in that view has entered it (a NEW-VIEW, or view 1)
	viewChanges uint64 // view - 1: every view change moves to the next view
	problems    []string
	duration    time.Duration // from the first transaction to convergence
}

// collect waits for the live replicas to converge, then reads their state.
func (s *setRun) collect(ctx context.Context) setFacts {
	f := setFacts{balances: map[int]map[string]int64{}, status: map[uint64]map[int]string{}}
	f.converged, f.metrics = s.converge(ctx, &f)
	f.duration = time.Since(s.issued)
	views := []uint64{}
	for _, m := range f.metrics {
		f.maxSeq = max(f.maxSeq, m.ExecutedSlot)
		views = append(views, m.View)
	}
	f.view = quorumView(views)
	for _, m := range s.honestMetrics(f.metrics) {
		f.slot = m.ExecutedSlot
	}
	for _, m := range f.metrics {
		f.viewActive = f.viewActive || m.View == f.view && (m.ViewActive || m.View == 1)
	}
	if f.view > 0 {
		f.viewChanges = f.view - 1
	}
	for _, res := range s.flatResults() {
		f.maxSeq = max(f.maxSeq, res.seq)
	}
	s.readBalances(ctx, &f)
	s.readStatus(ctx, &f)
	f.newViews = s.readNewViews(ctx, &f)
	return f
}

// newViewNumbers lists the views of NEW-VIEW messages.
func newViewNumbers(nvs []controlapi.NewView) []uint64 {
	out := make([]uint64, len(nvs))
	for i, nv := range nvs {
		out[i] = nv.View
	}
	return out
}

// quorumView is the (f+1)-th highest view: at least one honest replica reached it, so a
// Byzantine replica cannot inflate it. With f or fewer replicas it is their lowest view.
func quorumView(views []uint64) uint64 {
	if len(views) == 0 {
		return 0
	}
	slices.Sort(views)
	return views[max(0, len(views)-1-scenarioF)]
}

// converge polls the live replicas' metrics until the honest ones (live and not Byzantine)
// report the same executed slot and state digest, or the convergence deadline passes. A
// Byzantine replica need not converge: one whose messages all fail verification (sign) or
// go nowhere (dark to every replica) cannot even ask its peers for what it missed
// (docs/protocol.md, "Checkpoints and catch-up": catch-up is for honest replicas). Once the
// honest replicas agree, the Byzantine ones get Timing.Lagging more to catch up, and the set
// counts as converged whether or not they do; a set without an honest live replica waits for
// all of them.
func (s *setRun) converge(ctx context.Context, f *setFacts) (bool, map[int]controlapi.Metrics) {
	deadline := time.NewTimer(s.timing.Converge)
	defer deadline.Stop()
	tick := time.NewTicker(s.timing.Poll)
	defer tick.Stop()
	var grace <-chan time.Time // set once the honest replicas agree
	for {
		metrics, errs := s.allMetrics(ctx)
		honestAgree := len(errs) == 0 && agree(s.honestMetrics(metrics))
		if honestAgree && agree(metrics) {
			return true, metrics
		}
		if honestAgree && grace == nil {
			t := time.NewTimer(s.timing.Lagging)
			defer t.Stop()
			grace = t.C
		}
		select {
		case <-tick.C:
		case <-grace:
			return true, metrics
		case <-deadline.C:
			f.problems = append(f.problems, errs...)
			return honestAgree, metrics
		case <-ctx.Done():
			return false, metrics
		}
	}
}

// honestMetrics keeps the metrics of the live replicas that are not Byzantine, or all of them
// when every live replica is Byzantine.
func (s *setRun) honestMetrics(metrics map[int]controlapi.Metrics) map[int]controlapi.Metrics {
	out := map[int]controlapi.Metrics{}
	for id, m := range metrics {
		if !slices.Contains(s.set.Byzantine, id) {
			out[id] = m
		}
	}
	for _, id := range s.set.Live {
		if !slices.Contains(s.set.Byzantine, id) {
			return out
		}
	}
	return metrics
}

// agree reports whether every replica reports the same executed slot and state digest.
func agree(metrics map[int]controlapi.Metrics) bool {
	first := true
	var slot uint64
	var digest string
	for _, m := range metrics {
		if first {
			slot, digest, first = m.ExecutedSlot, m.StateDigest, false
		} else if m.ExecutedSlot != slot || m.StateDigest != digest {
			return false
		}
	}
	return true
}

// allMetrics asks every live replica for its metrics, in parallel.
func (s *setRun) allMetrics(ctx context.Context) (map[int]controlapi.Metrics, []string) {
	out := map[int]controlapi.Metrics{}
	var errs []string
	s.eachLive(ctx, func(ctx context.Context, id int, c *control.Conn) {
		m, err := c.Metrics(ctx)
		s.locked(func() {
			if err != nil {
				errs = append(errs, fmt.Sprintf("n%d: %v", id, err))
				return
			}
			out[id] = m
		})
	})
	return out, errs
}

func (s *setRun) readBalances(ctx context.Context, f *setFacts) {
	initial := s.r.initialBalances()
	for id := 1; id <= scenarioN; id++ {
		f.balances[id] = initial
	}
	s.eachLive(ctx, func(ctx context.Context, id int, c *control.Conn) {
		b, err := c.Balances(ctx)
		s.locked(func() {
			if err != nil {
				f.problems = append(f.problems, fmt.Sprintf("n%d balances: %v", id, err))
				delete(f.balances, id)
				return
			}
			f.balances[id] = b
		})
	})
}

func (s *setRun) readStatus(ctx context.Context, f *setFacts) {
	for seq := uint64(1); seq <= f.maxSeq; seq++ {
		f.status[seq] = map[int]string{}
		for id := 1; id <= scenarioN; id++ {
			f.status[seq][id] = "X"
		}
	}
	s.eachLive(ctx, func(ctx context.Context, id int, c *control.Conn) {
		for seq := uint64(1); seq <= f.maxSeq; seq++ {
			st, err := c.Status(ctx, seq)
			if err != nil {
				st = "?"
			}
			s.locked(func() { f.status[seq][id] = st })
		}
	})
}

// readNewViews gathers the NEW-VIEW messages of the live replicas, one per view: the version
// most replicas report (honest replicas that accepted a NEW-VIEW hold the same one).
func (s *setRun) readNewViews(ctx context.Context, f *setFacts) []controlapi.NewView {
	votes := map[uint64]map[string]int{}
	versions := map[string]controlapi.NewView{}
	s.eachLive(ctx, func(ctx context.Context, id int, c *control.Conn) {
		nvs, err := c.NewViews(ctx)
		s.locked(func() {
			if err != nil {
				f.problems = append(f.problems, fmt.Sprintf("n%d new views: %v", id, err))
				return
			}
			for _, nv := range nvs {
				key, _ := json.Marshal(nv)
				if votes[nv.View] == nil {
					votes[nv.View] = map[string]int{}
				}
				votes[nv.View][string(key)]++
				versions[string(key)] = nv
			}
		})
	})
	out := []controlapi.NewView{}
	for _, byKey := range votes {
		best, bestVotes := "", 0
		for key, n := range byKey {
			if n > bestVotes || n == bestVotes && key < best {
				best, bestVotes = key, n
			}
		}
		out = append(out, versions[best])
	}
	slices.SortFunc(out, func(a, b controlapi.NewView) int { return cmp.Compare(a.View, b.View) })
	return out
}

// eachLive runs fn for every live replica in parallel. Each fn gets a few call timeouts: it may
// send several commands (readStatus sends one per sequence number).
func (s *setRun) eachLive(ctx context.Context, fn func(ctx context.Context, id int, c *control.Conn)) {
	var wg sync.WaitGroup
	for id, rep := range s.replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, 4*s.timing.Call)
			defer cancel()
			fn(cctx, id, rep.Control())
		}()
	}
	wg.Wait()
}

// locked runs fn under the lock that guards what eachLive callbacks fill in.
func (s *setRun) locked(fn func()) {
	s.factsMu.Lock()
	defer s.factsMu.Unlock()
	fn()
}
