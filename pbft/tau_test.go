package pbft_test

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// With every replica up, backups send σ-shares only and the fast path needs nothing else. With
// one down, the collector asks for τ-shares after the fast-path wait on the first slots, then,
// once it expects the slow path, with the pre-prepare itself: no second round of asking.
func TestTauSharesOnlyWhenTheSlowPathNeedsThem(t *testing.T) {
	h := newHarness(t, nil)
	var tauShares int
	wants := map[pbft.Seq]int{} // pre-prepares with WantTau delivered per slot
	h.intercept = func(d delivery) pbft.Message {
		switch m := d.msg.(type) {
		case *pbft.Prepare:
			if len(m.Tau) > 0 {
				tauShares++
			}
		case *pbft.PrePrepare:
			if m.WantTau {
				wants[m.Seq]++
			}
		}
		return d.msg
	}
	h.propose(1, "A", 1, transfer("A", "B", 1))
	h.deliverAll()
	if tauShares != 0 || h.reps[0].Executed() != 1 {
		t.Fatalf("fast path: %d τ-shares sent, slot 1 executed %v; want none and executed", tauShares, h.reps[0].Executed() == 1)
	}
	h.down[4] = true
	for i := uint64(2); i <= 5; i++ {
		h.propose(1, "A", i, transfer("A", "B", 1))
		h.deliverAll()
		h.tickUntil(50, func() bool { return h.reps[0].Executed() == pbft.Seq(i) })
	}
	if got := h.reps[0].Stats().TauAsked; got != 2 {
		t.Fatalf("the collector asked again for τ-shares on %d slots, want the 2 before it expects the slow path", got)
	}
	for s := pbft.Seq(2); s <= 5; s++ {
		if wants[s] != 3 { // the three live replicas, once each
			t.Errorf("slot %d: %d pre-prepares asking for τ delivered, want 3", s, wants[s])
		}
	}
}
