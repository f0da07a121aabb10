package pbft_test

import (
	"fmt"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// TestRestartedReplicaKeepsVotesOfExecutedSlots: a replica that voted for (view 1, slot 1, d),
// executed the slot and restarted (replaying it from its durable records) must not vote for a
// faulty leader's pre-prepare of another digest for the same (view, slot): its PREPARE vote
// for an executed slot above the stable checkpoint is restored like any other (docs/
// protocol.md, "Durability"). Otherwise f+1 restarted replicas and f faulty ones certify a
// second value for a committed slot. Found by tests/sim TestAdversaryRestarts seed 1900.
func TestRestartedReplicaKeepsVotesOfExecutedSlots(t *testing.T) {
	cfg, _ := durableConfig(2, 1)
	r, err := pbft.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var records []pbft.Record
	prepares := func(r *pbft.Replica) []pbft.Digest {
		return sentDigests(r, &records, func(p *pbft.Prepare) pbft.Digest { return p.Digest })
	}
	voted := oneRequest(t, "c1", transfer("A", "B", 3))
	d := pbft.BatchDigest(voted)
	r.Step(1, &pbft.PrePrepare{View: 1, Seq: 1, Digest: d, Batch: voted})
	if got := prepares(r); len(got) != 1 || got[0] != d {
		t.Fatalf("PREPARE for the pre-prepare: got %v, want [%s]", got, d)
	}
	r.Step(1, &pbft.Cert{Type: pbft.FullCommitProof, View: 1, Seq: 1, Digest: d, Sig: []byte("fake-cert")})
	prepares(r)
	if r.Executed() != 1 {
		t.Fatalf("executed %d, want 1", r.Executed())
	}
	other := oneRequest(t, "c2", transfer("B", "C", 5))
	r2, _, err := pbft.Recover(cfg, pbft.Recovered{Records: records})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Executed() != 1 || r2.View() != 1 || !r2.ViewActive() {
		t.Fatalf("restarted at slot %d in view %d (active %v), want slot 1 in view 1", r2.Executed(), r2.View(), r2.ViewActive())
	}
	prepares(r2)
	r2.Step(1, &pbft.PrePrepare{View: 1, Seq: 1, Digest: pbft.BatchDigest(other), Batch: other})
	if got := prepares(r2); len(got) != 0 {
		t.Fatalf("after a restart it voted %v for view 1 slot 1, where it had voted %s", got, d)
	}
}

// TestRestartExecutesCommittedSlotFromItsVote: every replica lost power after slot 1 committed
// on the fast path but before its executed record was durable (it is written unsynced, docs/
// protocol.md "Durability"). Each comes back with its PREPARE vote (and the batch) and the
// FULL-COMMIT-PROOF: it must execute the slot from that batch at once. It used to mark the
// slot committed without its batch and fetch it from peers, who all lacked it too: the whole
// cluster stalled for good below slots whose replies clients had accepted. Found by tests/sim
// TestRandomizedSimulationRestarts seed 124.
func TestRestartExecutesCommittedSlotFromItsVote(t *testing.T) {
	cfg, _ := durableConfig(2, 1)
	r, err := pbft.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := smallbank.EncodeOp(transfer("A", "B", 3))
	if err != nil {
		t.Fatal(err)
	}
	batch := []pbft.Request{{Client: "c1", Timestamp: 1, Op: enc}}
	d := pbft.BatchDigest(batch)
	r.Step(1, &pbft.PrePrepare{View: 1, Seq: 1, Digest: d, Batch: batch})
	r.Step(1, &pbft.Cert{Type: pbft.FullCommitProof, View: 1, Seq: 1, Digest: d, Sig: []byte("fake-cert")})
	if r.Executed() != 1 {
		t.Fatalf("executed %d, want 1", r.Executed())
	}
	var synced []pbft.Record
	for _, rc := range r.TakeReady().Persist {
		if rc.Kind != pbft.RecExecuted { // lost at the power cut
			synced = append(synced, rc)
		}
	}
	cfg2, bank := durableConfig(2, 1)
	r2, _, err := pbft.Recover(cfg2, pbft.Recovered{Records: synced})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Executed() != 1 {
		t.Fatalf("after the restart: executed %d, want slot 1 executed from the replica's own vote", r2.Executed())
	}
	if a, _ := bank.Balance("A"); a != 97 {
		t.Fatalf("A holds %d after the restart, want 97", a)
	}
}

// TestRestartedLeaderProposesAfterItsNewView: the leader of view 2 sent NEW-VIEW(2) whose O
// holds slot 1 (decided by a commit certificate, so the leader recorded no vote for it in view
// 2), crashed and restarted in view 2. Its next proposal must take slot 2: proposing at slot 1
// again is a second pre-prepare for (view 2, slot 1), which backups that restarted too (and
// hold no pre-prepare of view 2 for a decided slot) would vote for. Found by tests/sim
// TestRandomizedSimulationRestarts seed 3245.
func TestRestartedLeaderProposesAfterItsNewView(t *testing.T) {
	cfg, _ := durableConfig(2, 1) // replica 2 leads view 2
	enc, err := smallbank.EncodeOp(transfer("A", "B", 3))
	if err != nil {
		t.Fatal(err)
	}
	decided := []pbft.Request{{Client: "c1", Timestamp: 1, Op: enc}}
	nv := &pbft.NewView{View: 2, PrePrepares: []pbft.PrePrepare{{View: 2, Seq: 1, Digest: pbft.BatchDigest(decided), Batch: decided}}}
	r, _, err := pbft.Recover(cfg, pbft.Recovered{Records: []pbft.Record{
		{Kind: pbft.RecView, View: 2, Active: true},
		{Kind: pbft.RecNewView, View: 2, NewView: nv},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if r.View() != 2 || !r.ViewActive() || r.Leader() != 2 {
		t.Fatalf("restarted in view %d (active %v, leader %s), want to lead view 2", r.View(), r.ViewActive(), r.Leader())
	}
	r.TakeReady()
	r.Propose(oneRequest(t, "c2", transfer("B", "C", 5))[0])
	proposed := 0
	for _, env := range r.TakeReady().Messages {
		if pp, ok := env.Msg.(*pbft.PrePrepare); ok {
			proposed++
			if pp.Seq <= 1 {
				t.Fatalf("the restarted leader proposed at slot %d of view 2, which its NEW-VIEW's O already holds", pp.Seq)
			}
		}
	}
	if proposed == 0 {
		t.Fatal("the restarted leader proposed nothing")
	}
}

// TestRestoredCertificateKeepsBatchOfEarlierVote: a replica voted for d at slot 1 in view 1
// and holds d's PREPARE-CERT, then voted for another value in view 2, and restarted changing
// into view 3. Its VIEW-CHANGE must report d's certificate with d's batch, which only its
// view-1 vote record holds: reported by digest alone, a new leader whose O carries d waits for
// a batch that a cluster restarted after a power cut may no longer hold anywhere else (a stall
// found by tests/sim TestRandomizedSimulationRestarts seed 3245 before its root cause was
// fixed).
func TestRestoredCertificateKeepsBatchOfEarlierVote(t *testing.T) {
	cfg, _ := durableConfig(2, 1)
	b1, b2 := oneRequest(t, "c1", transfer("A", "B", 3)), oneRequest(t, "c2", transfer("B", "C", 5))
	d1, d2 := pbft.BatchDigest(b1), pbft.BatchDigest(b2)
	cert := pbft.Cert{Type: pbft.PrepareCert, View: 1, Seq: 1, Digest: d1, Sig: []byte("fake-cert")}
	r, _, err := pbft.Recover(cfg, pbft.Recovered{Records: []pbft.Record{
		{Kind: pbft.RecView, View: 3},
		{Kind: pbft.RecPrepare, View: 1, Seq: 1, Digest: d1, Batch: b1},
		{Kind: pbft.RecCert, View: 1, Seq: 1, Digest: d1, Cert: &cert},
		{Kind: pbft.RecPrepare, View: 2, Seq: 1, Digest: d2, Batch: b2},
	}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, env := range r.TakeReady().Messages {
		vc, ok := env.Msg.(*pbft.ViewChange)
		if !ok || env.To != 3 {
			continue
		}
		for _, p := range vc.Prepared {
			if p.Cert.Seq == 1 && p.Cert.Digest == d1 {
				found = true
				if pbft.BatchDigest(p.Batch) != d1 || len(p.Batch) == 0 {
					t.Fatalf("VIEW-CHANGE(3) to the new leader reports the PREPARE-CERT of slot 1 without its batch")
				}
			}
		}
	}
	if !found {
		t.Fatal("no VIEW-CHANGE(3) to the new leader reporting slot 1's PREPARE-CERT")
	}
}

// TestRestartedReplicaRefusesProposalOverCommittedSlot: a replica entered view 2 by a NEW-VIEW
// whose O decided slot 1 with a commit certificate (acceptDecided: no vote, no pre-prepare
// record of view 2) and restarted in view 2. A faulty leader of view 2 then proposes another
// value at slot 1: the replica must refuse it by the certificate it restored, not vote for it
// (with f faulty replicas, f+1 such restarted replicas would certify a second value for a
// committed slot).
func TestRestartedReplicaRefusesProposalOverCommittedSlot(t *testing.T) {
	cfg, _ := durableConfig(3, 1) // replica 3; replica 2 leads view 2
	b1, b2 := oneRequest(t, "c1", transfer("A", "B", 3)), oneRequest(t, "c2", transfer("B", "C", 5))
	d1, d2 := pbft.BatchDigest(b1), pbft.BatchDigest(b2)
	cert := pbft.Cert{Type: pbft.CommitCert, View: 1, Seq: 1, Digest: d1, Sig: []byte("fake-cert")}
	r, _, err := pbft.Recover(cfg, pbft.Recovered{Records: []pbft.Record{
		{Kind: pbft.RecView, View: 2, Active: true},
		{Kind: pbft.RecCert, View: 1, Seq: 1, Digest: d1, Cert: &cert},
	}})
	if err != nil {
		t.Fatal(err)
	}
	r.TakeReady()
	r.Step(2, &pbft.PrePrepare{View: 2, Seq: 1, Digest: d2, Batch: b2})
	for _, env := range r.TakeReady().Messages {
		if p, ok := env.Msg.(*pbft.Prepare); ok {
			t.Fatalf("voted PREPARE(v=%d, s=%d, %s) over slot 1's commit certificate for %s", p.View, p.Seq, p.Digest, d1)
		}
	}
}

// TestRestartedReplicaResendsCheckpointShares: a replica executed slots 1 and 2 (a checkpoint
// at 2, K = 2) whose checkpoint never became stable, and restarted: replay takes the
// checkpoint again, and its share must go out again (within ResendTicks), or after a power cut
// of every replica no checkpoint ever becomes stable, the window stays full and the cluster
// stalls (tests/sim TestRandomizedSimulationRestarts seed 1644).
func TestRestartedReplicaResendsCheckpointShares(t *testing.T) {
	cfg, _ := durableConfig(2, 1)
	r, err := pbft.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var records []pbft.Record
	for s := pbft.Seq(1); s <= 2; s++ {
		enc, err := smallbank.EncodeOp(transfer("A", "B", int64(s)))
		if err != nil {
			t.Fatal(err)
		}
		b := []pbft.Request{{Client: pbft.ClientID(fmt.Sprint("c", s)), Timestamp: 1, Op: enc}}
		d := pbft.BatchDigest(b)
		r.Step(1, &pbft.PrePrepare{View: 1, Seq: s, Digest: d, Batch: b})
		r.Step(1, &pbft.Cert{Type: pbft.FullCommitProof, View: 1, Seq: s, Digest: d, Sig: []byte("fake-cert")})
		records = append(records, r.TakeReady().Persist...)
	}
	if r.Executed() != 2 {
		t.Fatalf("executed %d, want 2", r.Executed())
	}
	r2, _, err := pbft.Recover(cfg, pbft.Recovered{Records: records})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Executed() != 2 || r2.StableCheckpoint().Seq != 0 {
		t.Fatalf("restarted at slot %d, stable %d; want slot 2, stable 0", r2.Executed(), r2.StableCheckpoint().Seq)
	}
	for range 3 * cfg.ResendTicks {
		r2.Tick()
		for _, env := range r2.TakeReady().Messages {
			if c, ok := env.Msg.(*pbft.Checkpoint); ok && c.Seq == 2 {
				return
			}
		}
	}
	t.Fatal("the restarted replica never sent its share of checkpoint 2 again")
}

// oneRequest is a batch of one request of client with timestamp 1.
func oneRequest(t *testing.T, client string, op smallbank.Op) []pbft.Request {
	t.Helper()
	enc, err := smallbank.EncodeOp(op)
	if err != nil {
		t.Fatal(err)
	}
	return []pbft.Request{{Client: pbft.ClientID(client), Timestamp: 1, Op: enc}}
}

// sentDigests takes r's Ready, adds its records to *records, and returns the digests of the
// messages of type M it sends, read by digest.
func sentDigests[M pbft.Message](r *pbft.Replica, records *[]pbft.Record, digest func(M) pbft.Digest) []pbft.Digest {
	rd := r.TakeReady()
	*records = append(*records, rd.Persist...)
	var out []pbft.Digest
	for _, env := range rd.Messages {
		if m, ok := env.Msg.(M); ok {
			out = append(out, digest(m))
		}
	}
	return out
}
