package pbft_test

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// TestNewViewTimerCountsLaterViewChanges: the NEW-VIEW timer of view v runs once 2f+1
// replicas asked for v or a later view. A replica that restarted changing into view 3 (its
// leader down) hears VIEW-CHANGE(3) from one peer and VIEW-CHANGE(4) from another, which
// moved on before the restart and no longer re-sends its VIEW-CHANGE(3): with itself that is
// 2f+1 replicas wanting to leave view 2, and it must time view 3 out and move to view 4
// instead of waiting for a third VIEW-CHANGE(3) that never comes. Found by tests/sim
// TestRandomizedSimulationRestarts seed 8 (f replicas down for good, the 2f+1 others split
// between views 3 and 4 after restarts, stuck for good).
func TestNewViewTimerCountsLaterViewChanges(t *testing.T) {
	cfg, _ := durableConfig(2, 1)
	r, _, err := pbft.Recover(cfg, pbft.Recovered{Records: []pbft.Record{{Kind: pbft.RecView, View: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.View() != 3 || r.ViewActive() {
		t.Fatalf("restarted in view %d (active %v), want changing into view 3", r.View(), r.ViewActive())
	}
	deliverOwn := func() {
		for _, env := range r.TakeReady().Messages {
			if vc, ok := env.Msg.(*pbft.ViewChange); ok && (env.To == 2 || env.To == pbft.Broadcast) {
				r.Step(2, vc)
			}
		}
	}
	deliverOwn()
	stable := r.StableCheckpoint()
	r.Step(4, &pbft.ViewChange{View: 3, Replica: 4, Stable: stable})
	r.Step(1, &pbft.ViewChange{View: 4, Replica: 1, Stable: stable})
	for range 40 * cfg.ViewChangeTicks {
		r.Tick()
		deliverOwn()
		if r.View() > 3 {
			break
		}
	}
	if r.View() != 4 {
		t.Fatalf("in view %d (active %v): n2, n4 asked for view 3 and n1 for view 4, so view 3 should time out", r.View(), r.ViewActive())
	}
}
