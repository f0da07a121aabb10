package pbft_test

import (
	"fmt"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// Regression tests for the bounds of docs/protocol.md ("Bounds"): what one faulty replica can
// make an honest one store or compute. Each replays an audit finding (R1-R5) against one
// replica of the four-replica harness (f = 1, window L = 8, K = 2).

// stepAll hands replica `to` the messages from `from`, delivers to it what it sends itself
// (as the runtime does), and returns everything it sent.
func stepAll(h *harness, to, from pbft.NodeID, msgs ...pbft.Message) []pbft.Envelope {
	r := h.reps[to-1]
	var out []pbft.Envelope
	for _, m := range msgs {
		r.Step(from, m)
		for rd := r.TakeReady(); len(rd.Messages) > 0; rd = r.TakeReady() {
			out = append(out, rd.Messages...)
			for _, e := range rd.Messages {
				if e.To == to || e.To == pbft.Broadcast {
					r.Step(to, e.Msg)
				}
			}
		}
	}
	return out
}

func countKind(envs []pbft.Envelope, kind string) int {
	n := 0
	for _, e := range envs {
		if e.Msg.Kind() == kind {
			n++
		}
	}
	return n
}

func within(t *testing.T, r *pbft.Replica) {
	t.Helper()
	if fp, limit := r.Footprint(), r.FootprintLimit(); !fp.Within(limit) {
		t.Fatalf("%s footprint %+v exceeds its bounds %+v", r.ID(), fp, limit)
	}
}

// R1: a VIEW-CHANGE that reports a slot far above the sender's stable checkpoint made the new
// leader's O (and so its memory) as large as the slot number. It is refused, and a NEW-VIEW
// that carries it too.
func TestR1FarViewChangeEntryRefused(t *testing.T) {
	h := newHarness(t, nil)
	far := pbft.ViewChange{View: 2, Replica: 3, Votes: []pbft.VoteEntry{{View: 1, Seq: 100_000, Digest: pbft.BatchDigest(nil)}}}
	before := h.reps[1].Stats().RejectedMessages
	stepAll(h, 2, 3, &far)
	if h.reps[1].Stats().RejectedMessages == before {
		t.Fatal("the new leader accepted a VIEW-CHANGE reporting slot 100000 with L = 8")
	}
	var out []pbft.Envelope
	for _, id := range []pbft.NodeID{1, 4} {
		out = append(out, stepAll(h, 2, id, &pbft.ViewChange{View: 2, Replica: id})...)
	}
	for _, e := range out {
		if nv, ok := e.Msg.(*pbft.NewView); ok && len(nv.PrePrepares) > 8 {
			t.Fatalf("NEW-VIEW with %d pre-prepares, want at most L = 8", len(nv.PrePrepares))
		}
	}
	// A faulty new leader's NEW-VIEW that includes it is refused by the backups.
	bad := &pbft.NewView{View: 2, ViewChanges: []pbft.ViewChange{far, {View: 2, Replica: 1}, {View: 2, Replica: 2}}}
	before = h.reps[3].Stats().RejectedMessages
	stepAll(h, 4, 2, bad)
	if h.reps[3].View() == 2 && h.reps[3].ViewActive() || h.reps[3].Stats().RejectedMessages == before {
		t.Fatal("a backup accepted a NEW-VIEW whose V reports slot 100000")
	}
	within(t, h.reps[1])
}

// R2: VIEW-CHANGEs for views 2..k+1 from one replica were all kept and scanned on every
// message. At most two per replica are kept now.
func TestR2ViewChangesPerReplicaBounded(t *testing.T) {
	h := newHarness(t, nil)
	for v := pbft.View(2); v < 5_000; v++ {
		stepAll(h, 1, 3, &pbft.ViewChange{View: v, Replica: 3})
	}
	if fp := h.reps[0].Footprint(); fp.ViewChanges > 2 {
		t.Fatalf("n1 keeps %d VIEW-CHANGEs of n3, want at most 2", fp.ViewChanges)
	}
	if h.reps[0].View() != 1 || !h.reps[0].ViewActive() {
		t.Fatal("one replica's VIEW-CHANGEs moved n1 out of view 1 (f+1 are needed)")
	}
	within(t, h.reps[0])
}

// R3: checkpoint shares were kept per (slot, digest, sender): a faulty replica could send a
// million. One share per replica and slot is kept now.
func TestR3CheckpointSharesBounded(t *testing.T) {
	h := newHarness(t, nil)
	for i := 0; i < 2_000; i++ {
		state := pbft.Digest{byte(i), byte(i >> 8)}
		stepAll(h, 1, 3, &pbft.Checkpoint{Seq: pbft.Seq(2 * (1 + i%16)), State: state, Share: []byte("share")})
	}
	fp := h.reps[0].Footprint()
	if fp.CheckpointShares > 16 {
		t.Fatalf("n1 keeps %d checkpoint shares of n3, want at most one per checkpoint slot (16)", fp.CheckpointShares)
	}
	within(t, h.reps[0])
}

// R4: the future-view buffer kept 4096 messages of any size from anyone. Now only messages of
// the next view, from a replica that may send them, within a per-peer bound.
func TestR4FutureBufferBounded(t *testing.T) {
	h := newHarness(t, nil)
	big := make([]pbft.Request, 100)
	for i := range big {
		big[i] = pbft.Request{Client: pbft.ClientID(fmt.Sprint("c", i)), Timestamp: 1, Op: make([]byte, 1000)}
	}
	for i := 0; i < 2_000; i++ {
		pp := &pbft.PrePrepare{View: 2, Seq: pbft.Seq(1 + i%8), Batch: big, Digest: pbft.BatchDigest(big)}
		stepAll(h, 3, 4, pp)                                            // n4 does not lead view 2
		stepAll(h, 3, 2, pp)                                            // n2 does
		stepAll(h, 3, 1, &pbft.PrePrepare{View: 7, Seq: 1, Batch: big}) // too far ahead
	}
	r := h.reps[2]
	if fp := r.Footprint(); fp.FutureMsgs > 4*8 {
		t.Fatalf("n3 keeps %d messages of future views, want at most 4L = 32 (n2's)", fp.FutureMsgs)
	}
	if r.Stats().Dropped == 0 {
		t.Fatal("nothing was counted as dropped")
	}
	within(t, r)
}

// R5: one checkpoint share for a far slot, from one replica, set the catch-up target: the
// replica fetched from peers up to wherever a faulty replica said. f+1 claims are needed now.
func TestR5FarCheckpointNeedsFPlusOneClaims(t *testing.T) {
	h := newHarness(t, nil)
	far := &pbft.Checkpoint{Seq: 1_000_000, State: pbft.Digest{1}, Share: []byte("share")}
	if out := stepAll(h, 1, 3, far); countKind(out, "FETCH") != 0 {
		t.Fatal("one replica's far checkpoint share made n1 fetch")
	}
	out := stepAll(h, 1, 4, &pbft.Checkpoint{Seq: 500, State: pbft.Digest{2}, Share: []byte("share")})
	for _, e := range out {
		if f, ok := e.Msg.(*pbft.Fetch); ok && f.To > 500 {
			t.Fatalf("n1 fetches up to %d; f+1 = 2 replicas vouch only for 500", f.To)
		}
	}
	if countKind(out, "FETCH") != 1 {
		t.Fatal("two replicas' claims (one honest) did not make n1 catch up")
	}
	within(t, h.reps[0])
}

// L1: the backups' timer restarted at every executed slot, so a leader that commits an empty
// slot every 15 ticks (timeout 20) kept them executing while a request waited for ever. Each
// waiting request is timed now.
func TestL1RequestTimerIgnoresEmptySlots(t *testing.T) {
	h := newHarness(t, nil)
	op, _ := smallbank.EncodeOp(transfer("A", "B", 1))
	r := h.reps[2]
	r.Propose(pbft.Request{Client: "A", Timestamp: 1, Op: op})
	r.TakeReady()
	noop := pbft.BatchDigest(nil)
	for s := pbft.Seq(1); s <= 6 && r.ViewActive(); s++ {
		stepAll(h, 3, 1, &pbft.PrePrepare{View: 1, Seq: s, Digest: noop},
			&pbft.Cert{Type: pbft.FullCommitProof, View: 1, Seq: s, Digest: noop, Sig: []byte("proof")})
		for i := 0; i < 15 && r.ViewActive(); i++ {
			r.Tick()
			r.TakeReady()
		}
	}
	if r.ViewActive() && r.View() == 1 {
		t.Fatalf("n3 executed %d empty slots over 90 ticks and never suspected the leader (timeout 20)", r.Executed())
	}
}

// F3: backups did not bound a pre-prepare's batch: one genuine request repeated many times was
// a valid batch. MaxBatch, the byte budget, MaxOpBytes and uniqueness are checked now.
func TestF3OversizedBatchesRefused(t *testing.T) {
	op, _ := smallbank.EncodeOp(transfer("A", "B", 1))
	req := pbft.Request{Client: "A", Timestamp: 1, Op: op, Sig: []byte("sig")}
	many := make([]pbft.Request, 257)
	for i := range many {
		many[i] = pbft.Request{Client: pbft.ClientID(fmt.Sprint("c", i)), Timestamp: 1, Op: op}
	}
	cases := map[string][]pbft.Request{
		"one request twice":        {req, req},
		"more than MaxBatch (256)": many,
		"an operation over 1 KiB":  {{Client: "A", Timestamp: 1, Op: make([]byte, pbft.MaxOpBytes+1)}},
	}
	for name, batch := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil)
			out := stepAll(h, 3, 1, &pbft.PrePrepare{View: 1, Seq: 1, Batch: batch, Digest: pbft.BatchDigest(batch)})
			if countKind(out, "PREPARE") != 0 || h.reps[2].SlotStatus(1) != pbft.StatusNone {
				t.Fatal("a backup voted for the batch")
			}
		})
	}
}

// F2: a faulty peer served a committed batch with garbled client signatures; the digest did
// not cover them, so the replica stored and later reported or served the poisoned batch. It
// covers them now: the poisoned copy does not match the certificate.
func TestF2FetchedBatchWithGarbledSignaturesRefused(t *testing.T) {
	h := newHarness(t, nil)
	op, _ := smallbank.EncodeOp(transfer("A", "B", 1))
	good := []pbft.Request{{Client: "A", Timestamp: 1, Op: op, Sig: []byte("good signature")}}
	bad := []pbft.Request{{Client: "A", Timestamp: 1, Op: op, Sig: []byte("garbled")}}
	cert := pbft.Cert{Type: pbft.CommitCert, View: 1, Seq: 1, Digest: pbft.BatchDigest(good), Sig: []byte("cert")}
	out := stepAll(h, 3, 1, &cert) // committed, batch unknown: n3 fetches
	var asked pbft.NodeID
	for _, e := range out {
		if _, ok := e.Msg.(*pbft.Fetch); ok {
			asked = e.To
		}
	}
	if asked == 0 {
		t.Fatal("n3 did not fetch the batch of a committed slot")
	}
	reply := func(b []pbft.Request) *pbft.FetchReply {
		pp := pbft.PrePrepare{View: 1, Seq: 1, Digest: cert.Digest, Batch: b}
		return &pbft.FetchReply{Slots: []pbft.CommittedSlot{{PrePrepare: pp, Cert: cert}}}
	}
	stepAll(h, 3, asked, reply(bad))
	if h.reps[2].Executed() != 0 {
		t.Fatal("n3 executed a fetched batch whose signatures were garbled")
	}
}

// F1: a faulty replica garbled the client signatures of a batch in its VIEW-CHANGE; the digest
// did not cover them, so the new leader took that copy (the later replica id won) and every
// backup refused its NEW-VIEW, view after view. The digest covers them now: the garbled copy
// does not match the certificate, the VIEW-CHANGE is refused, and O carries the genuine batch.
func TestF1GarbledBatchInViewChangeNotProposed(t *testing.T) {
	h := newHarness(t, nil)
	op, _ := smallbank.EncodeOp(transfer("A", "B", 1))
	good := []pbft.Request{{Client: "A", Timestamp: 1, Op: op, Sig: []byte("good signature")}}
	bad := []pbft.Request{{Client: "A", Timestamp: 1, Op: op, Sig: []byte("garbled")}}
	cert := pbft.Cert{Type: pbft.PrepareCert, View: 1, Seq: 1, Digest: pbft.BatchDigest(good), Sig: []byte("cert")}
	vc := func(id pbft.NodeID, b []pbft.Request) *pbft.ViewChange {
		return &pbft.ViewChange{View: 2, Replica: id, Prepared: []pbft.PreparedEntry{{Cert: cert, Batch: b}}}
	}
	var out []pbft.Envelope
	out = append(out, stepAll(h, 2, 3, vc(3, good))...)
	out = append(out, stepAll(h, 2, 4, vc(4, bad))...)
	out = append(out, stepAll(h, 2, 1, &pbft.ViewChange{View: 2, Replica: 1})...)
	for _, e := range out {
		if nv, ok := e.Msg.(*pbft.NewView); ok {
			if len(nv.PrePrepares) != 1 || len(nv.PrePrepares[0].Batch) != 1 {
				t.Fatalf("NEW-VIEW O = %+v, want slot 1 with its batch", nv.PrePrepares)
			}
			if sig := string(nv.PrePrepares[0].Batch[0].Sig); sig != "good signature" {
				t.Fatalf("the new leader proposes the batch with signature %q, want the genuine one", sig)
			}
			return
		}
	}
	t.Fatal("the new leader sent no NEW-VIEW")
}

// A new leader behind V's stable checkpoint dropped O's slots beyond its own window, so they
// had no pre-prepare in the new view and stalled until the next view change. It keeps them
// and accepts them once catch-up has moved its window.
func TestNewLeaderBehindStableCheckpointKeepsO(t *testing.T) {
	h := newHarness(t, func(c *pbft.Config) { c.ResendTicks, c.FetchTicks, c.StatusTicks, c.FastPathTicks = 5, 10, 10, 0 })
	h.down[2] = true
	for i := uint64(1); i <= 12; i++ { // slots 1-12 commit without n2; stable checkpoint 12
		h.propose(1, "A", i, transfer("A", "B", 0))
		h.deliverAll()
	}
	h.intercept = func(d delivery) pbft.Message {
		if c, ok := d.msg.(*pbft.Cert); ok && c.Seq > 12 && d.from == 1 {
			return nil // slot 13 is voted but never certified
		}
		return d.msg
	}
	h.propose(1, "B", 1, transfer("B", "A", 1))
	h.deliverAll()
	if r := h.reps[2]; r.StableCheckpoint().Seq != 12 || r.SlotStatus(13) != pbft.StatusPrePrepare {
		t.Fatalf("n3: stable %d, slot 13 %s; the scenario needs stable 12 and slot 13 voted", r.StableCheckpoint().Seq, r.SlotStatus(13))
	}
	h.down[1], h.down[2] = true, false
	h.intercept = func(d delivery) pbft.Message {
		if _, ok := d.msg.(*pbft.FetchReply); ok && d.to == 2 && !h.reps[1].ViewActive() {
			return nil // n2 is still behind when it sends its NEW-VIEW
		}
		return d.msg
	}
	h.tickUntil(400, func() bool { return h.allInView(2, 13, 2, 3, 4) })
	if v := h.reps[1].View(); v != 2 {
		t.Fatalf("n2 in view %d: slot 13 stalled in view 2", v)
	}
}
