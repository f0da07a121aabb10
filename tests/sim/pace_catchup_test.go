package sim

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// A replica that accepts the pre-prepares but loses every certificate for a while (a lossy
// link, or a leader that keeps it in the dark for certificates) executes those slots through
// catch-up. Their latency is how long it lagged, not the leader's pace, and must not be
// sampled (docs/protocol.md, "Timer adaptation"): before, one such episode took its timer base
// from 200 to the cap (1600, 8x) at once, and the replica kept timers eight times longer than
// the others' for as long as no new slots pulled the estimate down.
func TestPaceSkipsSlotsFilledByCatchUp(t *testing.T) {
	s := newSim(t, Options{Seed: 3, Clients: 10, Net: hostile, Configure: vcTimers})
	configured := s.Replica(1).TimerBase()
	const dark = 1_500
	s.Intercept = func(_, to pbft.NodeID, m pbft.Message) (uint64, bool) {
		_, cert := m.(*pbft.Cert)
		return 0, to != 7 || !cert || s.Now() >= dark
	}
	s.Issue(60)
	highest := 0
	err := s.RunUntil(func() bool {
		highest = max(highest, s.Replica(7).TimerBase())
		return s.Now() > dark && s.Idle() && s.Converged(allIDs(7)...)
	}, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	if s.Replica(7).Stats().Fetched == 0 {
		t.Fatal("n7 executed nothing through catch-up: the test does not exercise it")
	}
	if highest > 2*configured {
		t.Fatalf("n7's timer base reached %d (configured %d; the others end at %v) after it caught up on %d slots",
			highest, configured, bases(s, except(7, 7)), s.Replica(7).Stats().Fetched)
	}
}

// bases are the timer bases of ids, in order.
func bases(s *Sim, ids []pbft.NodeID) []int {
	var out []int
	for _, id := range ids {
		out = append(out, s.Replica(id).TimerBase())
	}
	return out
}
