package sim

import (
	"flag"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
)

var seedsFlag = flag.Int("seeds", 200, "number of seeds of the randomized simulation")

// randomRun is one randomized scenario: a hostile network, up to f faulty replicas (crashed for
// good, silent for a while, or an equivocating leader), and partitions that heal; the clients
// send transfers and, 30% of the time, reads. After the faults heal every honest replica must
// converge, every request must complete, and the clients' history must be linearizable.
func randomRun(seed int64) error { return randomRunWith(seed, nil, nil, false) }

// randomRunWith is randomRun with extra configuration, a last look at the simulator, and
// restarts: durable stores, and replicas (any of the seven, up to all at once) crashing and
// restarting from them until the faults heal.
func randomRunWith(seed int64, extra func(*pbft.Config), atEnd func(*Sim), restarts bool) error {
	rng := rand.New(rand.NewSource(seed))
	net := NetFaults{
		Drop: rng.Float64() * 0.1, Dup: rng.Float64() * 0.1,
		MinDelay: 1, MaxDelay: 1 + uint64(rng.Intn(8)),
	}
	batch, k := 1+rng.Intn(4), pbft.Seq(2+rng.Intn(8))
	s, err := New(Options{Seed: seed, Clients: 10, Net: net, Reads: 0.3, Durable: restarts, Configure: func(c *pbft.Config) {
		vcTimers(c)
		c.MaxBatch = batch
		if seed%2 == 0 { // the runtime's batching: a closed pipeline and fills
			c.PipelineBatch, c.FillTicks = 64, int(1+seed%20)
		}
		c.CheckpointInterval = k
		c.Window = 4 * k
		if extra != nil {
			extra(c)
		}
	}})
	if err != nil {
		return err
	}
	faulty := rng.Perm(7)[:rng.Intn(3)]
	var crashed []pbft.NodeID
	var healLater []pbft.NodeID
	for _, i := range faulty {
		id := pbft.NodeID(i + 1)
		switch rng.Intn(3) {
		case 0:
			s.Silence(id, true)
			crashed = append(crashed, id)
		case 1:
			s.Silence(id, true)
			healLater = append(healLater, id)
		case 2:
			if id == 1 {
				s.Outbound[1] = equivocate(6, 7)
			} else {
				s.Silence(id, true)
				crashed = append(crashed, id)
			}
		}
	}
	var cuts [][2]pbft.NodeID
	for i := rng.Intn(4); i > 0; i-- {
		a, b := pbft.NodeID(1+rng.Intn(7)), pbft.NodeID(1+rng.Intn(7))
		s.Cut(a, b, true)
		cuts = append(cuts, [2]pbft.NodeID{a, b})
	}
	s.Issue(5)
	var rs *restarter
	if restarts {
		rs = newRestarter(s, allIDs(7), 5+int(seed%30), debugLog(s))
	}
	// Run with the faults for a while, then heal partitions and temporary silences.
	for s.Now() < 3_000 {
		if err := s.Step(); err != nil {
			return err
		}
		if rs != nil {
			if err := rs.tick(); err != nil {
				return s.fail(err)
			}
		}
	}
	if rs != nil {
		if err := rs.stop(); err != nil {
			return s.fail(err)
		}
	}
	for _, c := range cuts {
		s.Cut(c[0], c[1], false)
	}
	for _, id := range healLater {
		s.Silence(id, false)
	}
	honest := except(7, crashed...)
	if s.Outbound[1] != nil {
		honest = except(7, append(crashed, 1)...)
	}
	err = s.RunUntil(func() bool { return s.Idle() && s.Converged(honest...) }, 100_000)
	if atEnd != nil {
		atEnd(s)
	}
	if err != nil {
		return fmt.Errorf("faulty %v crashed %v healed %v cuts %v net %+v: %w", faulty, crashed, healLater, cuts, net, err)
	}
	if s.Completed() != 50 {
		return fmt.Errorf("seed %d: completed %d requests, want 50", seed, s.Completed())
	}
	return s.CheckHistory(historyDir())
}

func TestRandomizedSimulation(t *testing.T) {
	if *seedFlag != 0 {
		if err := randomRun(*seedFlag); err != nil {
			t.Fatal(err)
		}
		return
	}
	start := time.Now()
	first, n := seedRange(*seedsFlag, 20)
	failed := 0
	for seed := first; seed < first+int64(n); seed++ {
		err := randomRun(seed)
		progress(t, seed, first, n, failed)
		if err != nil {
			failed++
			t.Errorf("%v", err)
			if failed > 5 {
				t.FailNow()
			}
		}
	}
	t.Logf("seeds %d..%d in %v", first, first+int64(n)-1, time.Since(start))
}

// TestRandomizedSimulationLeaderSilence runs the randomized scenarios with the leader-silence
// trigger on, set harsher than the product's (one STATUS period instead of two, so that a
// lost or late STATUS alone can start a view change): crashed, silenced and equivocating
// leaders, cut links and a lossy network must still converge with every request complete and
// a linearizable history. Over the first 100 seeds the trigger adds about 20% view changes
// (860 against 702 without it), so it is exercised.
func TestRandomizedSimulationLeaderSilence(t *testing.T) {
	first, n := seedRange(*seedsFlag/2, 10)
	failed := 0
	for seed := first; seed < first+int64(n); seed++ {
		err := randomRunWith(seed, func(c *pbft.Config) { c.LeaderSilenceTicks = c.StatusTicks }, nil, false)
		if err != nil {
			failed++
			t.Errorf("seed %d (leader silence on): %v", seed, err)
			if failed > 5 {
				t.FailNow()
			}
		}
	}
}

// TestRandomizedSimulationRestarts runs the randomized scenarios with durable stores and
// replicas crashing and restarting from them (any of the seven, up to all at once, now or at a
// write, before or after it, losing unsynced records or not) until the faults heal: the
// simulator's invariants hold across restarts, no replica signs two digests for one (kind,
// view, slot) or comes back in a lower view, and every request completes afterwards.
func TestRandomizedSimulationRestarts(t *testing.T) {
	if *seedFlag != 0 {
		if err := randomRunWith(*seedFlag, nil, nil, true); err != nil {
			t.Fatal(err)
		}
		return
	}
	start := time.Now()
	first, n := seedRange(*seedsFlag/4, 10)
	failed := 0
	for seed := first; seed < first+int64(n); seed++ {
		err := randomRunWith(seed, nil, nil, true)
		progress(t, seed, first, n, failed)
		if err != nil {
			failed++
			t.Errorf("seed %d (restarts): %v", seed, err)
			if failed > 5 {
				t.FailNow()
			}
		}
	}
	t.Logf("seeds %d..%d in %v, %d failed", first, first+int64(n)-1, time.Since(start), failed)
}
