package pbft_test

import "testing"

// deliverSlow plays a network on which every message takes hop ticks: it delivers the queue
// in rounds, hop ticks apart, until it is empty or rounds have passed.
func (h *harness) deliverSlow(hop, rounds int) {
	for i := 0; i < rounds && len(h.queue) > 0; i++ {
		h.tick(hop)
		batch := h.queue
		h.queue = nil
		for _, d := range batch {
			h.deliver(d)
		}
	}
}

// On a network slower than the configured timer base allows for (every message takes 6 ticks,
// so a request forwarded by a backup needs about 30 ticks to execute; the base is 20), an
// honest leader must not be voted out: the backups learn the slots' pace from the slots they
// execute and stretch their request timers to it (docs/protocol.md, "Timer adaptation").
// Before the timers adapted, the backup holding the request started a view change to 2 and a
// slow WAN changed views every second.
func TestRequestTimerLearnsTheSlotPace(t *testing.T) {
	h := newHarness(t, nil)
	// Slots the backups do not time (the leader got the requests): they teach the pace.
	for i := uint64(1); i <= 6; i++ {
		h.propose(1, "A", i, transfer("A", "B", 1))
		h.deliverSlow(6, 40)
	}
	if got := h.reps[1].Executed(); got != 6 {
		t.Fatalf("warm-up: n2 executed %d slots, want 6", got)
	}
	// A request that reaches the leader through a backup, whose timer runs from then.
	h.propose(2, "B", 1, transfer("B", "A", 1))
	h.deliverSlow(6, 40)
	for _, r := range h.reps {
		if r.View() != 1 || !r.ViewActive() {
			t.Fatalf("%s moved to view %d (active %v): the honest, slow leader was voted out", r.ID(), r.View(), r.ViewActive())
		}
		if r.Executed() != 7 {
			t.Fatalf("%s executed %d slots, want 7", r.ID(), r.Executed())
		}
	}
}
