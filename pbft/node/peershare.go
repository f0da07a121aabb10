package node

import (
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// peerShareBytes bounds the bytes of one replica's frames in flight (received, not yet
// handled by the loop): two frames of the largest size, so a legitimate NEW-VIEW or snapshot
// always fits (docs/protocol.md, "Bounds").
const peerShareBytes = 2 * wire.MaxMessageSize

// peerShare is what one replica's link may have in flight: its share of peerBudget frames and
// peerShareBytes bytes. Each replica has its own, so a faulty one that floods its link is
// dropped within its share and cannot crowd the other replicas' frames out (the budget was
// shared by all before: TestFloodingPeerDoesNotCrowdOutOthers).
type peerShare struct {
	frames budget
	bytes  budget
}

// peerShares holds one share per replica id (index 0 unused).
type peerShares []peerShare

func newPeerShares(n int) peerShares {
	s := make(peerShares, n+1)
	for i := range s {
		s[i] = peerShare{frames: budget{limit: int64(peerBudget / max(1, n-1))}, bytes: budget{limit: peerShareBytes}}
	}
	return s
}

// of returns the share of the replica whose link delivered a frame (nil for an id outside
// 1..n; the transport authenticates the link, so this does not happen).
func (s peerShares) of(id pbft.NodeID) *peerShare {
	if id < 1 || int(id) >= len(s) {
		return nil
	}
	return &s[id]
}

// take reserves one frame of size bytes; false when the share is spent.
func (p *peerShare) take(size int) bool {
	if !p.frames.take() {
		return false
	}
	if !p.bytes.takeN(int64(size)) {
		p.frames.give()
		return false
	}
	return true
}

// give releases a frame of size bytes.
func (p *peerShare) give(size int) {
	p.frames.give()
	p.bytes.giveN(int64(size))
}
