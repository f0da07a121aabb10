package node

import (
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// A frame whose own signature verifies but whose certificate does not proves its signer
// faulty. Before penalties every such frame cost the receiver a pairing, as often as the
// faulty replica sent one; now the signer's frames are ignored for a window that doubles
// with each proof, while a frame whose own signature fails (which a network attacker can
// forge) penalizes nobody.
func TestBadCertificatePenalizesItsSigner(t *testing.T) {
	nd := inboundNode(t)
	badCert := &pbft.Cert{Type: pbft.CommitCert, View: 1, Seq: 1, Digest: pbft.Digest{1}, Sig: make([]byte, 48)}
	status := &pbft.Status{View: 1}
	now := time.Now()

	// A forged frame signature (anyone on the path can send one) penalizes nobody.
	if delivers(nd, 3, sealAs(t, 3, true, status), now) || nd.penalties.proofs.Load() != 0 {
		t.Fatal("a frame with a bad frame signature was delivered or penalized its claimed sender")
	}
	if !delivers(nd, 3, sealAs(t, 3, false, status), now) {
		t.Fatal("n3's good frame was not delivered")
	}
	// A signed frame with a bad certificate: n3 is ignored for penaltyFirst.
	if delivers(nd, 3, sealAs(t, 3, false, badCert), now) || nd.penalties.proofs.Load() != 1 {
		t.Fatal("the bad certificate was not a proof against n3")
	}
	if delivers(nd, 3, sealAs(t, 3, false, status), now.Add(penaltyFirst/2)) {
		t.Fatal("n3's frame was delivered while n3 was penalized")
	}
	nd.onPeer(3, sealAs(t, 3, false, status)) // dropped on its link, before the pool
	if got := nd.penalties.dropped.Load(); got != 2 {
		t.Fatalf("%d frames of n3 dropped, want 2", got)
	}
	if !delivers(nd, 4, sealAs(t, 4, false, status), now) {
		t.Fatal("another replica's frame was not delivered")
	}
	// After the window n3 is heard again; its next proof costs it twice as long.
	later := now.Add(penaltyFirst)
	if !delivers(nd, 3, sealAs(t, 3, false, status), later) {
		t.Fatal("n3 was still ignored after its window")
	}
	if w := nd.penalties.strike(3, later); w != 2*penaltyFirst {
		t.Fatalf("second window %v, want %v", w, 2*penaltyFirst)
	}
	for range 20 {
		nd.penalties.strike(3, later)
	}
	if w := nd.penalties.strike(3, later); w != penaltyMax {
		t.Fatalf("window %v after many proofs, want the cap %v", w, penaltyMax)
	}
}
