package pbft_test

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// TestCommitResentForItsCertificate: a backup that signed COMMIT for a PREPARE-CERT of digest d
// without holding the pre-prepare (the certificate reached it, the batch did not), and then
// accepts a faulty leader's pre-prepare of another digest d' for the same (view, slot), must
// re-send COMMIT for d, the value it committed to, never for d': that would be a second COMMIT
// share of the same (view, slot) for another digest, which the protocol's proof excludes (docs/
// protocol.md, "Normal case", and "Durability": a replica never signs two digests for one
// (kind, view, slot)). The same after a restart from its durable records. Found by the
// adversarial simulator (tests/sim TestAdversary seed 274; TestAdversaryRestarts seed 644).
func TestCommitResentForItsCertificate(t *testing.T) {
	cfg, _ := durableConfig(2, 1)
	cfg.ViewChangeTicks = 1_000 // no view change while the test ticks: view 1 throughout
	r, err := pbft.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	certified := oneRequest(t, "c1", transfer("A", "B", 3))
	d := pbft.BatchDigest(certified)
	r.Step(1, &pbft.Cert{Type: pbft.PrepareCert, View: 1, Seq: 1, Digest: d, Sig: []byte("fake-cert")})
	var records []pbft.Record
	commits := func(r *pbft.Replica) []pbft.Digest {
		return sentDigests(r, &records, func(c *pbft.Commit) pbft.Digest { return c.Digest })
	}
	if got := commits(r); len(got) != 1 || got[0] != d {
		t.Fatalf("COMMIT for the PREPARE-CERT: got %v, want [%s]", got, d)
	}
	other := oneRequest(t, "c2", transfer("B", "C", 5))
	r.Step(1, &pbft.PrePrepare{View: 1, Seq: 1, Digest: pbft.BatchDigest(other), Batch: other})
	check := func(r *pbft.Replica, when string) {
		resent := 0
		for range 5 * cfg.ResendTicks {
			r.Tick()
			for _, got := range commits(r) {
				resent++
				if got != d {
					t.Fatalf("%s: re-sent COMMIT for %s, but it signed COMMIT for %s in view 1 slot 1", when, got, d)
				}
			}
		}
		if resent == 0 {
			t.Fatalf("%s: the COMMIT was never re-sent (the slot does not commit without it)", when)
		}
	}
	check(r, "before a restart")
	cfg2, _ := durableConfig(2, 1)
	cfg2.ViewChangeTicks = cfg.ViewChangeTicks
	r2, _, err := pbft.Recover(cfg2, pbft.Recovered{Records: records})
	if err != nil {
		t.Fatal(err)
	}
	r2.Step(1, &pbft.PrePrepare{View: 1, Seq: 1, Digest: pbft.BatchDigest(other), Batch: other})
	if r2.View() != 1 || !r2.ViewActive() {
		t.Fatalf("restarted in view %d (active %v), want view 1", r2.View(), r2.ViewActive())
	}
	check(r2, "after a restart")
}
