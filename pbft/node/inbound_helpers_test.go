package node

import (
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
)

// inboundNode is replica n1 of seven with only what the inbound path uses (onPeer, openPeer):
// frames are checked on a pool of one worker and delivered to its mailbox.
func inboundNode(t *testing.T) *node {
	t.Helper()
	k := testKeys(t)
	nd := &node{id: 1, n: 7, auth: auth.New(k.Public, k.Replicas[0]), mail: newMailbox(), pool: newPool(1, 7),
		rejects: newRejections(), faults: &faults{}, peers: newPeerShares(7), penalties: newPenalties(7),
		log: zerolog.Nop()}
	t.Cleanup(nd.pool.stop)
	return nd
}

// sealAs returns m sealed by replica from, with the sign attack's corrupt sealer if corrupt.
func sealAs(t *testing.T, from int, corrupt bool, m pbft.Message) []byte {
	t.Helper()
	s := auth.New(testKeys(t).Public, testKeys(t).Replicas[from-1]).Sealer(corrupt)
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

// delivers opens a frame that came over peer from's link at time at, on the caller's
// goroutine, and reports whether it reached the loop's mailbox.
func delivers(nd *node, from int, frame []byte, at time.Time) bool {
	before := nd.mail.depth()
	nd.openPeer(pbft.NodeID(from), frame, at, nd.peers.of(pbft.NodeID(from)))
	return nd.mail.depth() > before
}
