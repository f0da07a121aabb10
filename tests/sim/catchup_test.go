package sim

import (
	"runtime"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

func TestInDarkReplicaCatchesUpWithoutNewRequests(t *testing.T) {
	s := newSim(t, Options{Seed: 6, Clients: 10, Net: hostile, Configure: func(c *pbft.Config) {
		vcTimers(c)
		c.MaxBatch = 2 // many slots
	}})
	s.Silence(7, true)
	runTransfers(t, s, 10, except(7, 7), 200_000)
	if ex := s.Replica(1).Executed(); ex < 50 {
		t.Fatalf("only %d slots executed while n7 was in the dark, want 50", ex)
	}
	if s.Replica(7).Executed() != 0 {
		t.Fatal("n7 executed while in the dark")
	}
	s.Silence(7, false)
	if err := s.RunUntil(func() bool { return s.Converged(allIDs(7)...) }, 50_000); err != nil {
		t.Fatal(err)
	}
	st := s.Replica(7).Stats()
	if st.Snapshots == 0 && st.Fetched == 0 {
		t.Fatalf("n7 converged without catch-up? %+v", st)
	}
	t.Logf("n7 caught up: %+v", st)
}

func TestDarkFromLeaderOnlyCatchesUp(t *testing.T) {
	s := newSim(t, Options{Seed: 7, Clients: 10, Net: hostile, Configure: vcTimers})
	s.Cut(1, 6, true) // the leader sends nothing to n6
	runTransfers(t, s, 10, allIDs(7), 200_000)
	if v := s.Replica(6).View(); v != 1 {
		t.Fatalf("n6 moved to view %d; an in-dark backup alone must not change the view", v)
	}
}

func TestMemoryBoundedOver10000Slots(t *testing.T) {
	if testing.Short() {
		t.Skip("long run")
	}
	s := newSim(t, Options{Seed: 8, Clients: 10, Net: NetFaults{MinDelay: 1, MaxDelay: 2}, Configure: func(c *pbft.Config) {
		vcTimers(c)
		c.MaxBatch = 1
	}})
	maxSlots := 0
	s.Issue(1000)
	for s.Completed() < 10_000 {
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
		for _, id := range allIDs(7) {
			maxSlots = max(maxSlots, s.Replica(id).Retained())
		}
		if s.Now() > 2_000_000 {
			t.Fatalf("too slow: %s", s.Describe())
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("10000 requests in %d slots: at most %d slots retained per replica (K=10, L=64); heap of the whole simulation after GC %d KiB",
		s.Replica(1).Executed(), maxSlots, ms.HeapAlloc/1024)
	if maxSlots > 64+10 {
		t.Fatalf("protocol state not bounded: %d slots retained", maxSlots)
	}
}
