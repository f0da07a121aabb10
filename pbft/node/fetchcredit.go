package node

import (
	"sync"

	"github.com/bftbank/pbft/pbft"
)

// A FETCH-REPLY carries up to 64 commit certificates and a snapshot's checkpoint certificate,
// all checked before the core sees the reply; certificates of old slots have left the
// verified-certificate cache, so each costs a pairing. The core only takes a reply from the
// peer it asked (docs/protocol.md, "Checkpoints and catch-up"), but a faulty replica could
// send unasked replies full of old, valid certificates, about a hundred milliseconds of
// pairings per frame. So the node checks a FETCH-REPLY only against a credit: every FETCH
// it sends to a peer grants one (at most maxFetchCredits are held per peer, enough for a
// fetch and its retries), every reply from that peer takes one, and a reply without a
// credit is dropped before any check.
const maxFetchCredits = 4

// fetchCredits counts, per peer, the FETCH-REPLYs this replica still expects. The zero value
// is ready to use.
type fetchCredits struct {
	mu      sync.Mutex
	credits map[pbft.NodeID]int
}

// grant records a FETCH sent to peer to.
func (f *fetchCredits) grant(to pbft.NodeID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.credits == nil {
		f.credits = map[pbft.NodeID]int{}
	}
	f.credits[to] = min(f.credits[to]+1, maxFetchCredits)
}

// take spends a credit of peer from for a FETCH-REPLY; false when it has none.
func (f *fetchCredits) take(from pbft.NodeID) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.credits[from] == 0 {
		return false
	}
	f.credits[from]--
	return true
}
