package node

import (
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
)

// A frame whose own signature verifies but whose certificate does not proves its signer
// faulty. Before penalties every such frame cost the receiver a pairing, as often as the
// faulty replica sent one; now the signer's frames are ignored for a window that doubles
// with each proof, while a frame whose own signature fails (which a network attacker can
// forge) penalizes nobody.
func TestBadCertificatePenalizesItsSigner(t *testing.T) {
	k := testKeys(t)
	nd := &node{id: 1, n: 7, auth: auth.New(k.Public, k.Replicas[0]), mail: newMailbox(), pool: newPool(1, 7),
		rejects: newRejections(), faults: &faults{}, peers: newPeerShares(7), penalties: newPenalties(7),
		log: zerolog.Nop()}
	t.Cleanup(nd.pool.stop)
	seal := func(from int, corrupt bool, m pbft.Message) []byte {
		t.Helper()
		s := auth.New(k.Public, k.Replicas[from-1]).Sealer(corrupt)
		filled, err := s.Fill(m)
		if err != nil {
			t.Fatal(err)
		}
		frame, err := s.Frame(filled)
		if err != nil {
			t.Fatal(err)
		}
		return frame
	}
	badCert := &pbft.Cert{Type: pbft.CommitCert, View: 1, Seq: 1, Digest: pbft.Digest{1}, Sig: make([]byte, 48)}
	status := &pbft.Status{View: 1}
	now := time.Now()
	open := func(from int, frame []byte, at time.Time) bool { // delivered to the loop?
		t.Helper()
		before := nd.mail.depth()
		nd.openPeer(pbft.NodeID(from), frame, at, nd.peers.of(pbft.NodeID(from)))
		return nd.mail.depth() > before
	}

	// A forged frame signature (anyone on the path can send one) penalizes nobody.
	if open(3, seal(3, true, status), now) || nd.penalties.proofs.Load() != 0 {
		t.Fatal("a frame with a bad frame signature was delivered or penalized its claimed sender")
	}
	if !open(3, seal(3, false, status), now) {
		t.Fatal("n3's good frame was not delivered")
	}
	// A signed frame with a bad certificate: n3 is ignored for penaltyFirst.
	if open(3, seal(3, false, badCert), now) || nd.penalties.proofs.Load() != 1 {
		t.Fatal("the bad certificate was not a proof against n3")
	}
	if open(3, seal(3, false, status), now.Add(penaltyFirst/2)) {
		t.Fatal("n3's frame was delivered while n3 was penalized")
	}
	nd.onPeer(3, seal(3, false, status)) // dropped on its link, before the pool
	if got := nd.penalties.dropped.Load(); got != 2 {
		t.Fatalf("%d frames of n3 dropped, want 2", got)
	}
	if !open(4, seal(4, false, status), now) {
		t.Fatal("another replica's frame was not delivered")
	}
	// After the window n3 is heard again; its next proof costs it twice as long.
	later := now.Add(penaltyFirst)
	if !open(3, seal(3, false, status), later) {
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
