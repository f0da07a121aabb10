package pbft_test

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// C1: one client key signing a new timestamp for every request, faster than they commit, had
// every one queued at the leader (and every one in its batches, ahead of the other clients'),
// and every one kept in the order of the backups' request timers behind a request that waits.
// The leader keeps one request per client, the newest, in the place of the first; the backups'
// order keeps the superseded entries within a bound.
func TestC1OneClientCannotFloodTheLeaderQueue(t *testing.T) {
	h := newHarness(t, nil)
	op, _ := smallbank.EncodeOp(transfer("A", "B", 1))
	leader, backup := h.reps[0], h.reps[1]
	const flood = 5000
	proposed := map[pbft.ClientID]int{}
	batches := 0
	drain := func() {
		for _, e := range leader.TakeReady().Messages {
			if pp, ok := e.Msg.(*pbft.PrePrepare); ok && e.To == pbft.Broadcast || ok && e.To == 2 {
				batches++
				for _, req := range pp.Batch {
					proposed[req.Client]++
				}
			}
		}
	}
	// B's request waits at the backup (nothing commits: no PREPARE reaches the leader), then A floods.
	backup.Propose(pbft.Request{Client: "B", Timestamp: 1, Op: op})
	backup.TakeReady()
	for ts := uint64(1); ts <= flood; ts++ {
		req := pbft.Request{Client: "A", Timestamp: ts, Op: op}
		leader.Propose(req)
		drain()
		backup.Propose(req)
		backup.TakeReady()
		if ts == flood/2 {
			leader.Propose(pbft.Request{Client: "B", Timestamp: 1, Op: op})
			drain()
		}
		within(t, leader)
		within(t, backup)
	}
	if fp := leader.Footprint(); fp.Pending > 2 {
		t.Fatalf("the leader queues %d requests of 2 clients after %d of A's: %+v", fp.Pending, flood, fp)
	}
	if fp := backup.Footprint(); fp.Waiting != 2 || fp.WaitingOrder > 2*2+64 {
		t.Fatalf("the backup times %d requests in an order of %d after %d of A's, want 2 in at most 68", fp.Waiting, fp.WaitingOrder, flood)
	}
	for i := 0; i < 5; i++ {
		leader.Tick()
		drain()
	}
	if proposed["A"] == 0 || proposed["A"] > batches {
		t.Fatalf("A has %d requests in the leader's %d batches, want 1 to one per batch", proposed["A"], batches)
	}
}

// C3: a faulty leader could order a request its client signed as read-only (answered from the
// executed state, never ordered): every replica then executed its operation as a write, so a
// signed read of any kind could change the state, and it used up the client's timestamp. A
// backup refuses to vote for a batch that holds one.
func TestC3ReadOnlyRequestNotOrdered(t *testing.T) {
	op, _ := smallbank.EncodeOp(transfer("A", "B", 1))
	batch := []pbft.Request{{Client: "A", Timestamp: 1, Op: op, ReadOnly: true}}
	h := newHarness(t, nil)
	out := stepAll(h, 3, 1, &pbft.PrePrepare{View: 1, Seq: 1, Batch: batch, Digest: pbft.BatchDigest(batch)})
	if countKind(out, "PREPARE") != 0 || h.reps[2].SlotStatus(1) != pbft.StatusNone {
		t.Fatal("a backup voted for a batch that orders a read-only request")
	}
}
