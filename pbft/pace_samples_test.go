package pbft_test

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// A slot that a NEW-VIEW decides (its commit certificate is in V, acceptDecided) is committed
// by an earlier view's certificate, not by the new leader, and executes as soon as the NEW-VIEW
// is accepted: its latency says nothing of the current leader's pace and must not be sampled
// (docs/protocol.md, "Timer adaptation"). Sampled, such slots are zeros that first raise the
// deviation (a NEW-VIEW can decide up to L of them) and then drag the mean down.
func TestPaceSkipsSlotsDecidedByNewView(t *testing.T) {
	cfg, _ := durableConfig(3, 1) // replica 3 of four
	cfg.ViewChangeTicks = 400     // above the latencies below: no request timer fires
	r, err := pbft.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b1, b2 := oneRequest(t, "c1", transfer("A", "B", 1)), oneRequest(t, "c2", transfer("B", "C", 1))
	d1, d2 := pbft.BatchDigest(b1), pbft.BatchDigest(b2)
	c1 := pbft.Cert{Type: pbft.FullCommitProof, View: 1, Seq: 1, Digest: d1, Sig: []byte("fake-cert")}
	c2 := pbft.Cert{Type: pbft.CommitCert, View: 1, Seq: 2, Digest: d2, Sig: []byte("fake-cert")}
	// Slot 1 takes 50 ticks from its pre-prepare to its execution: the base becomes
	// 4 x (50 + 4 x 25) = 600 ticks.
	r.Tick()
	r.Step(1, &pbft.PrePrepare{View: 1, Seq: 1, Digest: d1, Batch: b1})
	for range 50 {
		r.Tick()
	}
	r.Step(1, &c1)
	learned := r.TimerBase()
	if r.Executed() != 1 || learned != 600 {
		t.Fatalf("executed %d, base %d: want slot 1 executed and a base of 600", r.Executed(), learned)
	}
	// Slot 2 is pre-prepared in view 1, then the NEW-VIEW of view 2 decides it by the commit
	// certificate that V reports.
	r.Step(1, &pbft.PrePrepare{View: 1, Seq: 2, Digest: d2, Batch: b2})
	for range 100 {
		r.Tick()
	}
	var vcs []pbft.ViewChange
	for _, id := range []pbft.NodeID{1, 2, 4} {
		vcs = append(vcs, pbft.ViewChange{View: 2, Replica: id,
			Prepared: []pbft.PreparedEntry{{Cert: c1, Batch: b1}, {Cert: c2, Batch: b2}}})
	}
	r.Step(2, &pbft.NewView{View: 2, ViewChanges: vcs, PrePrepares: []pbft.PrePrepare{
		{View: 2, Seq: 1, Digest: d1, Batch: b1}, {View: 2, Seq: 2, Digest: d2, Batch: b2}}})
	if r.View() != 2 || !r.ViewActive() || r.Executed() != 2 {
		t.Fatalf("view %d (active %v), executed %d: want view 2 entered and slot 2 executed", r.View(), r.ViewActive(), r.Executed())
	}
	if got := r.TimerBase(); got != learned {
		t.Fatalf("the NEW-VIEW's decided slot changed the learned base from %d to %d: sampled as the new leader's pace", learned, got)
	}
}
