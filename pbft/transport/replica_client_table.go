package transport

import (
	"sync"
	"sync/atomic"

	"github.com/bftbank/pbft/pbft"
)

// clientTable routes replies: it holds the latest proven session of every client, and the
// sessions every client is attached on (at most perClient, oldest first).
type clientTable struct {
	max, perSource, perConn, perClient int
	mu                                 sync.Mutex
	byID                               map[pbft.ClientID]*clientSession
	holders                            map[pbft.ClientID][]*clientSession
	bySource                           map[string]int // routed ids per source address
	conns                              atomic.Int64
	sent                               atomic.Uint64 // of sessions that ended
	dropped                            atomic.Uint64 // of sessions that ended, and sends with no session
	displaced                          atomic.Uint64 // attachments undone by perClient
}

func newClientTable(max int, l Limits) *clientTable {
	return &clientTable{max: max, perSource: l.MaxClientsPerSource, perConn: l.MaxClientsPerConn,
		perClient: l.MaxConnsPerClient, byID: make(map[pbft.ClientID]*clientSession),
		holders: make(map[pbft.ClientID][]*clientSession), bySource: make(map[string]int)}
}

// route makes s, on which client id was just proven, the session of id. It refuses an id
// beyond MaxClientsPerConn on s, a new client beyond max, and one beyond MaxClientsPerSource
// for s's source. It returns the sessions left with no client to close: the single-client
// session s replaces, and the oldest session of id once id is on more than
// MaxConnsPerClient (the newest wins; docs/design.md, "Bounds at the edges").
func (ct *clientTable) route(id pbft.ClientID, s *clientSession) (empty []*clientSession, ok bool) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if _, known := s.attached[id]; known {
		return nil, true
	}
	old := ct.byID[id]
	if len(s.attached) >= ct.perConn || (old == nil && len(ct.byID) >= ct.max) {
		return nil, false
	}
	if old == nil || old.src != s.src {
		if ct.bySource[s.src] >= ct.perSource {
			return nil, false
		}
		ct.bySource[s.src]++
		if old != nil {
			ct.unsource(old.src)
		}
	}
	ct.byID[id] = s
	s.attach(id)
	ct.holders[id] = append(ct.holders[id], s)
	if old != nil && !old.mux {
		empty = ct.detach(id, old, empty)
	}
	for len(ct.holders[id]) > ct.perClient {
		ct.displaced.Add(1)
		empty = ct.detach(id, ct.holders[id][0], empty)
	}
	return empty, true
}

// detach undoes id's attachment on s (not its route) and appends s to empty if s is left
// with no client.
func (ct *clientTable) detach(id pbft.ClientID, s *clientSession, empty []*clientSession) []*clientSession {
	ct.unhold(id, s)
	if s.detach(id) == 0 {
		empty = append(empty, s)
	}
	return empty
}

// unhold removes s from the sessions id is attached on.
func (ct *clientTable) unhold(id pbft.ClientID, s *clientSession) {
	hs := ct.holders[id]
	for i, h := range hs {
		if h == s {
			hs = append(hs[:i:i], hs[i+1:]...)
			break
		}
	}
	if len(hs) == 0 {
		delete(ct.holders, id)
		return
	}
	ct.holders[id] = hs
}

func (ct *clientTable) unsource(src string) {
	if ct.bySource[src]--; ct.bySource[src] <= 0 {
		delete(ct.bySource, src)
	}
}

// remove forgets every route to s and every attachment on it, and keeps its counts.
func (ct *clientTable) remove(s *clientSession) {
	ct.mu.Lock()
	for id := range s.attached {
		ct.unhold(id, s)
		if ct.byID[id] == s {
			delete(ct.byID, id)
			ct.unsource(s.src)
		}
	}
	ct.mu.Unlock()
	ct.sent.Add(s.out.sent.Load())
	ct.dropped.Add(s.out.dropped.Load())
}

func (ct *clientTable) send(id pbft.ClientID, frame []byte) bool {
	ct.mu.Lock()
	s := ct.byID[id]
	ct.mu.Unlock()
	if s == nil {
		ct.dropped.Add(1)
		return false
	}
	if s.mux {
		frame = encodeMux(muxData, id, frame)
	}
	return s.out.offer(frame)
}

// stats counts the clients with a route, and the frames of every session.
func (ct *clientTable) stats() (clients int, sent, dropped uint64) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	sent, dropped = ct.sent.Load(), ct.dropped.Load()
	seen := make(map[*clientSession]bool)
	for _, s := range ct.byID {
		if !seen[s] {
			seen[s] = true
			sent += s.out.sent.Load()
			dropped += s.out.dropped.Load()
		}
	}
	return len(ct.byID), sent, dropped
}
