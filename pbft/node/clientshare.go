package node

import (
	"sync"
	"sync/atomic"

	"github.com/bftbank/pbft/pbft"
)

// maxClientInflight bounds the frames one client may have in flight at a replica: received and
// not yet handled by the loop (or rejected). A closed-loop client has one request outstanding
// and perhaps a retransmission; a client that floods its connection gets no more than this
// share of the client budget (clientBudget), so the other clients' requests still reach the
// core and a leader flooded by one client key is not suspected by backups waiting on the
// requests it had to drop (docs/design.md, "Bounds at the edges"). Requests beyond a client's
// share are dropped and counted; one whose timestamp is newer supersedes the older anyway
// (one request per client executes at a time).
const maxClientInflight = 8

// clientShares counts each client's frames in flight. Its map holds only clients with
// frames in flight, so it is bounded by the client budget.
type clientShares struct {
	mu      sync.Mutex
	n       map[pbft.ClientID]int
	dropped atomic.Uint64
}

func newClientShares() *clientShares { return &clientShares{n: map[pbft.ClientID]int{}} }

// take reserves one frame of c's share; false (counted) when c has its share in flight.
func (s *clientShares) take(c pbft.ClientID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n[c] >= maxClientInflight {
		s.dropped.Add(1)
		return false
	}
	s.n[c]++
	return true
}

// give releases one frame of c's share.
func (s *clientShares) give(c pbft.ClientID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n[c] <= 1 {
		delete(s.n, c)
		return
	}
	s.n[c]--
}
