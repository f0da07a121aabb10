package pbft_test

import (
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// Probes of what one faulty replica, with valid keys, can make an honest replica compute or
// store (docs/protocol.md, "Bounds"), each through Step.

// A faulty new leader's NEW-VIEWs cost each backup the recomputation of O from V. It scanned
// every message for every slot: L slots times up to n messages of up to 2L entries, about
// 0.7 s per NEW-VIEW with L = 8192 and f = 1, on the protocol loop, for every NEW-VIEW the
// faulty leader sends during the view change. V is grouped by slot once now.
func TestNewViewCheckIsLinearInV(t *testing.T) {
	const window = 8192
	h := newHarness(t, func(c *pbft.Config) { c.Window, c.CheckpointInterval = window, window/4 })
	var vcs []pbft.ViewChange
	for id := pbft.NodeID(1); id <= 4; id++ {
		vc := pbft.ViewChange{View: 2, Replica: id}
		for s := pbft.Seq(1); s <= window; s++ {
			d := pbft.Digest{byte(s), byte(s >> 8), byte(id)}
			vc.Prepared = append(vc.Prepared, pbft.PreparedEntry{Cert: pbft.Cert{Type: pbft.PrepareCert, View: 1, Seq: s, Digest: d, Sig: []byte("cert")}})
			vc.Votes = append(vc.Votes, pbft.VoteEntry{View: 1, Seq: s, Digest: d})
		}
		vcs = append(vcs, vc)
	}
	// O names, for each slot, some digest of V, but not the one the rule selects: every backup
	// recomputes O in full to find that out.
	o := make([]pbft.PrePrepare, window)
	for i := range o {
		o[i] = pbft.PrePrepare{View: 2, Seq: pbft.Seq(i + 1), Digest: vcs[2].Prepared[i].Cert.Digest}
	}
	r := h.reps[2]
	before := r.Stats().RejectedMessages
	start := time.Now()
	for range 3 {
		stepAll(h, 3, 2, &pbft.NewView{View: 2, ViewChanges: vcs, PrePrepares: o})
	}
	took := time.Since(start)
	if r.Stats().RejectedMessages != before+3 || r.View() != 1 {
		t.Fatalf("n3 in view %d, %d NEW-VIEWs refused; want view 1 and 3 refused", r.View(), r.Stats().RejectedMessages-before)
	}
	if took > 750*time.Millisecond {
		t.Fatalf("three NEW-VIEWs with V of %d entries took n3 %v to refuse; want time linear in V (a few ms each)", 4*2*window, took)
	}
	t.Logf("three NEW-VIEWs refused in %v", took)
}

// A full VIEW-CHANGE's batches were only checked against their digests. A fast-path vote
// names no certificate, so a faulty replica could attach to it any batch of genuine requests:
// one request repeated until the frame's 64 MiB, kept (two VIEW-CHANGEs per replica) by the new
// leader and by every replica it sends the full copy to, and served by FETCH-BATCH. The
// batches are held to what a pre-prepare's are (F3) and 32 MiB in all, what an honest
// sender's full VIEW-CHANGE carries at most.
func TestViewChangeBatchesBounded(t *testing.T) {
	req := pbft.Request{Client: "A", Timestamp: 1, Op: []byte("op"), Sig: []byte("genuine")}
	repeated := make([]pbft.Request, 200)
	for i := range repeated {
		repeated[i] = req
	}
	many := make([]pbft.Request, 257) // MaxBatch is 256
	for i := range many {
		many[i] = pbft.Request{Client: pbft.ClientID(rune('a' + i%26)), Timestamp: uint64(1 + i), Op: []byte("op")}
	}
	op := make([]byte, pbft.MaxOpBytes)
	big := make([]pbft.Request, 8) // within MaxBatch, over the byte budget (4 KiB here)
	for i := range big {
		big[i] = pbft.Request{Client: "A", Timestamp: uint64(1 + i), Op: op}
	}
	cases := map[string][]pbft.Request{"one request repeated": repeated, "more than MaxBatch": many, "over the byte budget": big}
	for name, batch := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, func(c *pbft.Config) { c.MaxBatchBytes = 4096 })
			vc := &pbft.ViewChange{View: 2, Replica: 3, Votes: []pbft.VoteEntry{{View: 1, Seq: 1, Digest: pbft.BatchDigest(batch), Batch: batch}}}
			r := h.reps[1]
			before := r.Stats().RejectedMessages
			stepAll(h, 2, 3, vc)
			if fp := r.Footprint(); fp.ViewChanges != 0 || r.Stats().RejectedMessages != before+1 {
				t.Fatalf("the new leader keeps %d VIEW-CHANGEs after n3's with a batch of %d requests", fp.ViewChanges, len(batch))
			}
			// Its slim copy, the same signed message, is kept.
			stepAll(h, 2, 3, vc.Slim())
			if fp := r.Footprint(); fp.ViewChanges != 1 {
				t.Fatalf("the slim copy was refused (%d VIEW-CHANGEs kept)", fp.ViewChanges)
			}
		})
	}
}

// Each batch within the budget, but more of them than an honest sender's full VIEW-CHANGE
// carries (32 MiB in all, the rest by digest).
func TestViewChangeBatchesBoundedInAll(t *testing.T) {
	h := newHarness(t, func(c *pbft.Config) { c.MaxBatch, c.MaxBatchBytes = 4096, 8<<20 })
	op, sig := make([]byte, pbft.MaxOpBytes), make([]byte, pbft.MaxOpBytes)
	vc := &pbft.ViewChange{View: 2, Replica: 3}
	for s := pbft.Seq(1); s <= 5; s++ { // 5 batches of 3,500 requests of about 2 KiB: 36 MB
		batch := make([]pbft.Request, 3500)
		for i := range batch {
			batch[i] = pbft.Request{Client: "A", Timestamp: uint64(s)<<20 + uint64(i) + 1, Op: op, Sig: sig}
		}
		vc.Votes = append(vc.Votes, pbft.VoteEntry{View: 1, Seq: s, Digest: pbft.BatchDigest(batch), Batch: batch})
	}
	r := h.reps[1]
	stepAll(h, 2, 3, vc)
	if fp := r.Footprint(); fp.ViewChanges != 0 {
		t.Fatal("the new leader keeps a VIEW-CHANGE carrying 36 MB of batches")
	}
	vc.Votes = vc.Votes[:4] // 29 MB: an honest sender may carry that much
	stepAll(h, 2, 3, vc)
	if fp := r.Footprint(); fp.ViewChanges != 1 {
		t.Fatal("the new leader refused a VIEW-CHANGE carrying 29 MB of batches")
	}
}
