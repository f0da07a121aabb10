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
