package pbft_test

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// batchesIn counts the requests a VIEW-CHANGE carries.
func batchesIn(vc *pbft.ViewChange) int {
	n := 0
	for _, e := range vc.Prepared {
		n += len(e.Batch)
	}
	for _, v := range vc.Votes {
		n += len(v.Batch)
	}
	return n
}

// A view change after a committed slot: only the new leader gets the batches in the
// VIEW-CHANGE messages; the other replicas get slim copies, and the NEW-VIEW carries each
// batch once, in O. The new view then orders the request left pending.
func TestViewChangeCarriesEachBatchOnce(t *testing.T) {
	h := newHarness(t, nil)
	h.propose(1, "A", 1, transfer("A", "B", 3))
	h.deliverAll() // slot 1 commits on the fast path everywhere
	h.down[1] = true
	for id := pbft.NodeID(2); id <= 4; id++ {
		h.propose(id, "B", 1, transfer("B", "A", 1))
	}
	h.deliverAll()
	var toLeader, toOthers, newViews int
	h.intercept = func(d delivery) pbft.Message {
		switch m := d.msg.(type) {
		case *pbft.ViewChange:
			if len(m.Prepared) != 1 || len(m.Votes) != 1 || m.Votes[0].Digest != m.Prepared[0].Cert.Digest {
				t.Errorf("%s -> %s: VIEW-CHANGE reports %d certificates and %d votes, want the one slot", d.from, d.to, len(m.Prepared), len(m.Votes))
			}
			if d.to == 2 {
				toLeader++
				if got := batchesIn(m); got != 1 {
					t.Errorf("%s -> new leader n2: VIEW-CHANGE carries %d requests, want the batch once (1)", d.from, got)
				}
			} else {
				toOthers++
				if got := batchesIn(m); got != 0 {
					t.Errorf("%s -> %s: VIEW-CHANGE carries %d requests, want a slim copy", d.from, d.to, got)
				}
			}
		case *pbft.NewView:
			newViews++
			for i := range m.ViewChanges {
				if got := batchesIn(&m.ViewChanges[i]); got != 0 {
					t.Errorf("NEW-VIEW carries a VIEW-CHANGE with %d requests, want slim copies", got)
				}
			}
			if len(m.PrePrepares) != 1 || len(m.PrePrepares[0].Batch) != 1 {
				t.Errorf("NEW-VIEW O = %+v, want slot 1 with its batch", m.PrePrepares)
			}
		}
		return d.msg
	}
	h.tick(20) // the backups' request timers expire
	h.deliverAll()
	h.tick(3)
	h.deliverAll()
	if toLeader != 3 || toOthers != 6 || newViews != 3 {
		t.Fatalf("delivered %d VIEW-CHANGEs to the new leader, %d to others, %d NEW-VIEWs; want 3, 6, 3", toLeader, toOthers, newViews)
	}
	for id := pbft.NodeID(2); id <= 4; id++ {
		r := h.reps[id-1]
		if r.View() != 2 || r.Executed() != 2 {
			t.Errorf("%s: view %d, executed %d; want view 2 and slot 2 executed", id, r.View(), r.Executed())
		}
		if r.StateDigest() != h.reps[1].StateDigest() {
			t.Errorf("%s: state differs from n2's", id)
		}
	}
}

// viewChangeAfterOneSlot commits slot 1 in view 1, stops n1, and leaves a request pending at
// the backups, with resends every 5 ticks and a view-change timeout of 20.
func viewChangeAfterOneSlot(t *testing.T) *harness {
	h := newHarness(t, func(c *pbft.Config) { c.ResendTicks = 5 })
	h.propose(1, "A", 1, transfer("A", "B", 3))
	h.deliverAll()
	h.down[1] = true
	for id := pbft.NodeID(2); id <= 4; id++ {
		h.propose(id, "B", 1, transfer("B", "A", 1))
	}
	h.deliverAll()
	return h
}

// tickUntil ticks and delivers until done holds, for at most max ticks; it returns the ticks.
func (h *harness) tickUntil(max int, done func() bool) int {
	for i := 1; i <= max; i++ {
		h.tick(1)
		h.deliverAll()
		if done() {
			return i
		}
	}
	h.t.Fatalf("condition not reached in %d ticks", max)
	return 0
}

// allInView reports whether the replicas are in view v and have executed slot s.
func (h *harness) allInView(v pbft.View, s pbft.Seq, ids ...pbft.NodeID) bool {
	for _, id := range ids {
		if r := h.reps[id-1]; r.View() != v || !r.ViewActive() || r.Executed() < s {
			return false
		}
	}
	return true
}

// A new leader that never received a batch of O, and gets only slim VIEW-CHANGEs, fetches
// the batch (FETCH-BATCH) from the replicas that have it, and starts the view with it.
func TestNewLeaderFetchesBatchesMissingFromViewChanges(t *testing.T) {
	h := newHarness(t, func(c *pbft.Config) { c.ResendTicks = 5 })
	h.intercept = func(d delivery) pbft.Message {
		if pp, ok := d.msg.(*pbft.PrePrepare); ok && pp.View == 1 && d.to == 2 {
			return nil // n2 never sees slot 1's batch, only its certificates
		}
		if _, ok := d.msg.(*pbft.FetchReply); ok && d.to == 2 {
			return nil // nor catches up on it
		}
		return d.msg
	}
	h.propose(1, "A", 1, transfer("A", "B", 3))
	h.deliverAll()
	h.tickUntil(20, func() bool { return h.reps[1].SlotStatus(1) >= pbft.StatusCommitted })
	h.down[1] = true
	for id := pbft.NodeID(2); id <= 4; id++ {
		h.propose(id, "B", 1, transfer("B", "A", 1))
	}
	fetches, replies := 0, 0
	h.intercept = func(d delivery) pbft.Message {
		switch m := d.msg.(type) {
		case *pbft.ViewChange:
			if d.to == 2 && d.from != 2 {
				return m.Slim()
			}
		case *pbft.FetchReply:
			if d.to == 2 {
				return nil
			}
		case *pbft.FetchBatch:
			fetches++
		case *pbft.BatchReply:
			replies++
		}
		return d.msg
	}
	h.tickUntil(100, func() bool { return h.allInView(2, 2, 2, 3, 4) })
	if fetches == 0 || replies == 0 {
		t.Fatalf("%d FETCH-BATCH and %d replies, want the leader to fetch slot 1's batch", fetches, replies)
	}
	nv := h.reps[1].NewViews()
	if len(nv) != 1 || len(nv[0].PrePrepares) == 0 || len(nv[0].PrePrepares[0].Batch) != 1 {
		t.Fatalf("NEW-VIEW history %+v, want slot 1 re-proposed with its request", nv)
	}
}

// A replica that keeps missing the NEW-VIEW repeats its VIEW-CHANGE (the full one every half
// timeout, 10 ticks here) until its own timer moves it on, 20 ticks after the quorum; the new
// leader answers a repeat with the NEW-VIEW only after a gap of 20 ticks since the broadcast
// (then 40, ...), not at every repeat.
func TestNewViewAnswersBackOff(t *testing.T) {
	h := viewChangeAfterOneSlot(t)
	sent, dropping := 0, true
	h.intercept = func(d delivery) pbft.Message {
		if nv, ok := d.msg.(*pbft.NewView); ok && d.to == 3 && nv.View == 2 {
			sent++
			if dropping {
				return nil
			}
		}
		return d.msg
	}
	h.tick(20)
	h.deliverAll()
	h.tickUntil(5, func() bool { return h.allInView(2, 1, 2, 4) }) // no quorum for slot 2 yet
	h.tick(40)
	h.deliverAll()
	if h.reps[2].View() == 2 {
		t.Fatal("n3 is still waiting in view 2; the test needs it to have repeated its VIEW-CHANGE until its timer expired")
	}
	if sent < 1 || sent > 2 {
		t.Fatalf("n3 was sent %d NEW-VIEWs for view 2, want the broadcast and at most one answer", sent)
	}
	// n3 has timed out on view 2 meanwhile; the replicas meet again in a later view.
	dropping = false
	h.tickUntil(300, func() bool { v := h.reps[2].View(); return v >= 2 && h.allInView(v, 2, 2, 3, 4) })
}
