package pbft_test

import (
	"math"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// Serving catch-up to a faulty peer: what a loop of FETCHes, or absurd ones, make a replica send.

// replies counts the FETCH-REPLYs to peer to in a Ready.
func replies(rd pbft.Ready, to pbft.NodeID) (n int, slots int) {
	for _, env := range rd.Messages {
		if m, ok := env.Msg.(*pbft.FetchReply); ok && env.To == to {
			n++
			slots += len(m.Slots)
		}
	}
	return n, slots
}

// servingReplica is replica 1 of a four-replica harness after three slots: its stable
// checkpoint is slot 2 and it holds slot 3.
func servingReplica(t *testing.T) *pbft.Replica {
	h := newHarness(t, nil)
	for ts := uint64(1); ts <= 3; ts++ {
		h.propose(1, "A", ts, transfer("A", "B", 1))
		h.deliverAll()
	}
	r := h.reps[0]
	if r.Executed() != 3 || r.StableCheckpoint().Seq != 2 {
		t.Fatalf("setup: executed %d, stable %d", r.Executed(), r.StableCheckpoint().Seq)
	}
	r.TakeReady()
	return r
}

// TestFetchServingIsBoundedPerPeer: a peer that loops FETCH gets at most one snapshot and
// ServeSlotsPerPeriod slots per FetchTicks; the rest is dropped and counted, other peers are
// still served, and the budget comes back after FetchTicks.
func TestFetchServingIsBoundedPerPeer(t *testing.T) {
	r := servingReplica(t)
	rejected := r.Stats().RejectedMessages
	for range 10 {
		r.Step(4, &pbft.Fetch{From: 1, To: 3})
	}
	if n, slots := replies(r.TakeReady(), 4); n != 1 || slots != 1 {
		t.Fatalf("10 snapshot FETCHes: %d replies (%d slots), want 1 reply", n, slots)
	}
	for range 2 * pbft.ServeSlotsPerPeriod {
		r.Step(4, &pbft.Fetch{From: 3, To: 3})
	}
	if n, _ := replies(r.TakeReady(), 4); n != pbft.ServeSlotsPerPeriod-1 {
		t.Fatalf("%d slot FETCHes: %d replies, want %d", 2*pbft.ServeSlotsPerPeriod, n, pbft.ServeSlotsPerPeriod-1)
	}
	if got, want := r.Stats().RejectedMessages-rejected, uint64(9+pbft.ServeSlotsPerPeriod+1); got != want {
		t.Fatalf("%d FETCHes dropped and counted, want %d", got, want)
	}
	r.Step(3, &pbft.Fetch{From: 1, To: 3})
	if n, slots := replies(r.TakeReady(), 3); n != 1 || slots != 1 {
		t.Fatalf("another peer: %d replies (%d slots), want 1 (1)", n, slots)
	}
	for range pbft.TestConfig(1, 1, nil).FetchTicks {
		r.Tick()
	}
	r.TakeReady()
	r.Step(4, &pbft.Fetch{From: 1, To: 3})
	if n, slots := replies(r.TakeReady(), 4); n != 1 || slots != 1 {
		t.Fatalf("after FetchTicks: %d replies (%d slots), want 1 (1)", n, slots)
	}
}

// TestFetchAbsurdRangesAreRefused: empty, reversed and slot-0 ranges are dropped and counted;
// a huge range is served as at most MaxFetchSlots slots.
func TestFetchAbsurdRangesAreRefused(t *testing.T) {
	r := servingReplica(t)
	rejected := r.Stats().RejectedMessages
	for _, f := range []pbft.Fetch{{From: 0, To: 0}, {From: 0, To: 3}, {From: 3, To: 1}} {
		r.Step(4, &f)
	}
	if n, _ := replies(r.TakeReady(), 4); n != 0 || r.Stats().RejectedMessages-rejected != 3 {
		t.Fatalf("absurd FETCHes: %d replies, %d rejected, want 0 and 3", n, r.Stats().RejectedMessages-rejected)
	}
	r.Step(4, &pbft.Fetch{From: math.MaxUint64, To: math.MaxUint64})
	r.Step(4, &pbft.Fetch{From: 3, To: math.MaxUint64})
	if n, slots := replies(r.TakeReady(), 4); n != 1 || slots != 1 {
		t.Fatalf("huge ranges: %d replies (%d slots), want 1 (1)", n, slots)
	}
}
