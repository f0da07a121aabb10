package node

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// A frame whose own signature verifies but which carries a certificate, a client signature
// or a replica signature that does not (auth.ProvesFaulty) proves its signer faulty: honest
// replicas check all of them before they send or relay them. Checking such a certificate
// costs the receiver a pairing (about a millisecond) and the sender nothing, so a faulty
// replica could keep the verification pool busy with them. After each such frame the node
// ignores the signer for a penalty window: its link's frames are dropped before any check,
// and frames it signed that come over another link after their Ed25519 check. The window
// starts at penaltyFirst and doubles with every further proof, up to penaltyMax; it never
// shrinks, since the proofs do not expire. A faulty replica thus costs at most one failed
// expensive check per window (docs/protocol.md, "Bounds").
const (
	penaltyFirst = time.Second
	penaltyMax   = time.Minute
)

// penalties holds, per replica id, until when its frames are ignored (read on every inbound
// frame, without a lock) and its next window (changed only by a proof, under mu).
type penalties struct {
	until   []atomic.Int64 // unix nanoseconds; 0: never penalized
	mu      sync.Mutex
	window  []time.Duration
	dropped atomic.Uint64 // frames dropped while their sender was penalized
	proofs  atomic.Uint64 // frames that proved their signer faulty
}

func newPenalties(n int) *penalties {
	return &penalties{until: make([]atomic.Int64, n+1), window: make([]time.Duration, n+1)}
}

// blocked reports whether id's frames are ignored at now, and counts the drop if so.
func (p *penalties) blocked(id pbft.NodeID, now time.Time) bool {
	if int(id) >= len(p.until) || now.UnixNano() >= p.until[id].Load() {
		return false
	}
	p.dropped.Add(1)
	return true
}

// strike records that a frame signed by id proved it faulty at now, and returns the window
// for which its frames are now ignored.
func (p *penalties) strike(id pbft.NodeID, now time.Time) time.Duration {
	p.proofs.Add(1)
	if int(id) >= len(p.until) {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	w := p.window[id]
	if w == 0 {
		w = penaltyFirst
	}
	p.until[id].Store(now.Add(w).UnixNano())
	p.window[id] = min(2*w, penaltyMax)
	return w
}
