package pbft_test

import (
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// A new leader proposes the requests that wait beside the slots its NEW-VIEW carried over:
// those are not slots it opened, and counting them as in flight made it wait for PipelineBatch
// requests, in practice for the carried slots to commit (140 ms of a 600 ms view change under
// load, docs/benchmarks.md "Session 13").
func TestNewLeaderProposesBesideCarriedSlots(t *testing.T) {
	h := newHarness(t, func(c *pbft.Config) { c.PipelineBatch = 8 })
	h.intercept = func(d delivery) pbft.Message {
		switch m := d.msg.(type) {
		case *pbft.Cert:
			if m.View == 1 {
				return nil // slot 1 is voted on in view 1 but never commits there
			}
		case *pbft.Prepare:
			if m.View == 2 && m.Seq == 1 {
				return nil // nor in view 2: it stays in flight
			}
		}
		return d.msg
	}
	h.propose(1, "A", 1, transfer("A", "B", 3))
	h.deliverAll()
	h.failLeader("B", transfer("B", "A", 5))
	leader := h.reps[1]
	if leader.View() != 2 || !leader.ViewActive() {
		t.Fatalf("n2 is in view %d (active %v), want leading view 2:\n%s", leader.View(), leader.ViewActive(), h.out.String())
	}
	if !strings.Contains(h.out.String(), "n2 -> n3 NEW-VIEW v=2 (3 view-changes, 1 pre-prepares)") {
		t.Fatalf("slot 1 was not carried into view 2:\n%s", h.out.String())
	}
	if leader.SlotStatus(1) >= pbft.StatusCommitted {
		t.Fatalf("slot 1 committed: the test needs it in flight")
	}
	if !strings.Contains(h.out.String(), "n2 -> n3 PRE-PREPARE v=2 s=2") {
		t.Fatalf("the new leader held B's request back while carried slot 1 was in flight:\n%s", h.out.String())
	}
}
