package pbft_test

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// deliverWhere delivers queued messages in FIFO order while keep says so; the others stay
// queued, in order.
func (h *harness) deliverWhere(keep func(delivery) bool) {
	for {
		i := -1
		for k, d := range h.queue {
			if keep(d) {
				i = k
				break
			}
		}
		if i < 0 {
			return
		}
		d := h.queue[i]
		h.queue = append(h.queue[:i:i], h.queue[i+1:]...)
		if h.down[d.from] || h.down[d.to] {
			continue
		}
		h.reps[d.to-1].Step(d.from, d.msg)
		h.collect(d.to)
	}
}

// prePrepares returns the sizes of the pre-prepares the leader has queued for n2.
func (h *harness) prePrepares() []int {
	var sizes []int
	for _, d := range h.queue {
		if pp, ok := d.msg.(*pbft.PrePrepare); ok && d.from == 1 && d.to == 2 {
			sizes = append(sizes, len(pp.Batch))
		}
	}
	return sizes
}

// TestPipelineBatchLetsBatchesGrow: with a slot in flight, the leader opens the next one only
// once PipelineBatch requests wait.
func TestPipelineBatchLetsBatchesGrow(t *testing.T) {
	h := newHarness(t, func(c *pbft.Config) { c.PipelineBatch = 3 })
	h.propose(1, "A", 1, transfer("A", "B", 1))
	h.propose(1, "B", 1, transfer("B", "A", 1))
	h.propose(1, "C", 1, transfer("A", "B", 1))
	if got := h.prePrepares(); len(got) != 1 || got[0] != 1 {
		t.Fatalf("pre-prepares %v, want one of 1 request (proposed at once, nothing in flight)", got)
	}
	h.propose(1, "D", 1, transfer("B", "A", 1))
	if got := h.prePrepares(); len(got) != 2 || got[1] != 3 {
		t.Fatalf("pre-prepares %v, want a second one of 3 requests", got)
	}
	h.deliverAll()
	h.tick(1)
	h.deliverAll()
	if ex := h.reps[3].Executed(); ex != 2 {
		t.Fatalf("n4 executed %d slots, want 2", ex)
	}
}

// TestAwaited: a leader with nothing in flight awaits one request; with a slot in flight it
// awaits PipelineBatch minus those waiting; a backup always reports 1 (it forwards at once).
func TestAwaited(t *testing.T) {
	h := newHarness(t, func(c *pbft.Config) { c.PipelineBatch = 3 })
	leader, backup := h.reps[0], h.reps[1]
	if got := leader.Awaited(); got != 1 {
		t.Fatalf("idle leader awaits %d, want 1", got)
	}
	h.propose(1, "A", 1, transfer("A", "B", 1)) // proposed at once: a slot in flight
	if got := leader.Awaited(); got != 3 {
		t.Fatalf("leader with a slot in flight awaits %d, want 3", got)
	}
	h.propose(1, "B", 1, transfer("B", "A", 1))
	if got := leader.Awaited(); got != 2 {
		t.Fatalf("leader with one request waiting awaits %d, want 2", got)
	}
	if got := backup.Awaited(); got != 1 {
		t.Fatalf("backup awaits %d, want 1", got)
	}
	h.deliverAll() // slot 1 commits; B's request no longer waits for PipelineBatch
	h.tick(1)
	h.deliverAll()
	if got := leader.Awaited(); got != 1 || h.reps[3].Executed() != 2 {
		t.Fatalf("after both slots: leader awaits %d (want 1), n4 executed %d (want 2)", got, h.reps[3].Executed())
	}
}

// TestFillWaitsForAnsweredClients: with PipelineBatch out of reach, B's request waits while
// A's slot is in flight. When that slot commits, the leader expects A back and does not propose
// B alone; A's next request makes two, proposed together. When A does not come back, B is
// proposed alone once FillTicks have passed.
func TestFillWaitsForAnsweredClients(t *testing.T) {
	for _, aReturns := range []bool{true, false} {
		h := newHarness(t, func(c *pbft.Config) { c.PipelineBatch, c.FillTicks = 100, 5 })
		h.propose(1, "A", 1, transfer("A", "B", 1)) // slot 1, proposed at once
		h.propose(1, "B", 1, transfer("B", "A", 1)) // waits: a slot is in flight
		h.deliverAll()
		h.tick(1)
		h.deliverAll()
		if got := h.prePrepares(); len(got) != 0 {
			t.Fatalf("pre-prepares %v after slot 1 committed, want none (filling)", got)
		}
		for range 3 { // asking does not change the fill
			if got := h.reps[0].Awaited(); got != 1 {
				t.Fatalf("leader awaits %d during the fill, want 1 (A)", got)
			}
		}
		if aReturns {
			h.propose(1, "A", 2, transfer("A", "B", 1))
			if got := h.prePrepares(); len(got) != 1 || got[0] != 2 {
				t.Fatalf("pre-prepares %v once A came back, want one of 2 requests", got)
			}
			continue
		}
		h.tick(3) // slot 1 committed at tick 0: the fill ends at tick 5
		if got := h.prePrepares(); len(got) != 0 {
			t.Fatalf("pre-prepares %v before the fill ended", got)
		}
		h.tick(1)
		if got := h.prePrepares(); len(got) != 1 || got[0] != 1 {
			t.Fatalf("pre-prepares %v after the fill ended, want one of 1 request", got)
		}
	}
}

// TestFastPathWaitGrowsForASlowReplica: the last σ-share of slot 1 arrives after the wait, so
// slot 1 takes the slow path; the collector then waits longer, and slot 2 takes the fast path
// although n4's share is as late again.
func TestFastPathWaitGrowsForASlowReplica(t *testing.T) {
	h := newHarness(t, func(c *pbft.Config) { c.FastPathTicks = 2 })
	notN4toN1 := func(d delivery) bool { return !(d.from == 4 && d.to == 1) }
	for s, client := range []string{"A", "B"} {
		h.propose(1, client, 1, transfer(client, map[string]string{"A": "B", "B": "A"}[client], 1))
		h.deliverWhere(notN4toN1)
		for range 5 {
			h.tick(1)
			h.deliverWhere(notN4toN1)
		}
		h.deliverAll() // n4's late PREPARE reaches the collector
		h.tick(1)
		h.deliverAll()
		st := h.reps[0].Stats()
		if s == 0 && (st.SlowCommits != 1 || st.FastCommits != 0) {
			t.Fatalf("slot 1: %+v, want a slow commit (n4's share came after the 2-tick wait)", st)
		}
		if s == 1 && st.FastCommits != 1 {
			t.Fatalf("slot 2: %+v, want a fast commit (the wait grew)", st)
		}
	}
}

// TestBadSigmaShareSuspendsTheFastPath: after a σ-share fails verification, the collector
// does not try the fast path (it would fail again) for the next slots.
func TestBadSigmaShareSuspendsTheFastPath(t *testing.T) {
	h := newHarness(t, nil)
	sigmaJobs := 0
	h.combine = func(job pbft.CombineJob) pbft.Combined {
		if job.Key == pbft.KeySigma {
			sigmaJobs++
			return pbft.Combined{Job: job, Bad: []pbft.NodeID{4}}
		}
		return pbft.Combined{Job: job, Sig: []byte("fake-cert")}
	}
	for i, client := range []string{"A", "B", "A"} {
		h.propose(1, client, uint64(i+1), transfer(client, map[string]string{"A": "B", "B": "A"}[client], 1))
		h.deliverAll()
		h.tick(3)
		h.deliverAll()
	}
	if sigmaJobs != 1 {
		t.Fatalf("%d σ combinations, want 1: after n4's bad share the fast path is not tried", sigmaJobs)
	}
	if st := h.reps[0].Stats(); st.SlowCommits != 3 || st.BadShares != 1 {
		t.Fatalf("stats %+v, want 3 slow commits and 1 bad share", st)
	}
}
