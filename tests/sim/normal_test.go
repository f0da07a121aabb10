package sim

import (
	"flag"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

var seedFlag = flag.Int64("seed", 0, "replay one seed of the randomized simulations")

func allIDs(n int) []pbft.NodeID {
	ids := make([]pbft.NodeID, n)
	for i := range ids {
		ids[i] = pbft.NodeID(i + 1)
	}
	return ids
}

func except(n int, out ...pbft.NodeID) []pbft.NodeID {
	var ids []pbft.NodeID
	for _, id := range allIDs(n) {
		skip := false
		for _, o := range out {
			skip = skip || o == id
		}
		if !skip {
			ids = append(ids, id)
		}
	}
	return ids
}

// hostile is the network of the normal-case runs: delay, duplication and reordering.
var hostile = NetFaults{MinDelay: 1, MaxDelay: 4, Dup: 0.05}

// fastWindow sizes the collector's fast-path wait above the network's worst delay.
func fastWindow(c *pbft.Config) { c.FastPathTicks = 10 }

// runTransfers issues perClient transfers from every client and waits for all of them and for
// the given replicas to converge.
func runTransfers(t *testing.T, s *Sim, perClient int, ids []pbft.NodeID, maxTicks uint64) {
	t.Helper()
	s.Issue(perClient)
	want := s.Completed() + perClient*len(s.clients)
	if err := s.RunUntil(func() bool { return s.Completed() >= want && s.Idle() && s.Converged(ids...) }, maxTicks); err != nil {
		t.Fatal(err)
	}
}

func newSim(t *testing.T, o Options) *Sim {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFastPathCarriesSlotsWhenAllAnswer(t *testing.T) {
	for _, a := range authsUnderTest(t) {
		t.Run(a.name, func(t *testing.T) {
			s := newSim(t, Options{Seed: 1, Clients: 10, Net: hostile, Configure: fastWindow, Auth: a.auth})
			runTransfers(t, s, 100, allIDs(7), 200_000)
			st := s.Replica(1).Stats()
			t.Logf("%s; leader stats %+v", s.Describe(), st)
			if st.SlowCommits != 0 || st.FastCommits == 0 || st.WaitedSlots != 0 {
				t.Fatalf("expected every slot on the fast path, got %+v", st)
			}
			if s.Completed() < 1000 {
				t.Fatalf("completed %d transfers, want 1000", s.Completed())
			}
		})
	}
}

func TestSlowPathWithOneSilentReplica(t *testing.T) {
	for _, a := range authsUnderTest(t) {
		t.Run(a.name, func(t *testing.T) {
			s := newSim(t, Options{Seed: 2, Clients: 10, Net: hostile, Configure: fastWindow, Auth: a.auth})
			s.Silence(7, true)
			runTransfers(t, s, 100, except(7, 7), 400_000)
			st := s.Replica(1).Stats()
			t.Logf("%s; leader stats %+v", s.Describe(), st)
			if st.FastCommits != 0 || st.SlowCommits == 0 {
				t.Fatalf("expected the slow path only, got %+v", st)
			}
			// The adaptive window: after a few fallbacks the collector only probes.
			if limit := st.SlowCommits/8 + 4; st.WaitedSlots > limit {
				t.Fatalf("collector waited on %d of %d slots, want at most %d", st.WaitedSlots, st.SlowCommits, limit)
			}
		})
	}
}
