package transport

import (
	"sync"
	"sync/atomic"

	"github.com/bftbank/pbft/pbft"
)

// clientSession is one client connection on the replica side, with its own queue.
type clientSession struct {
	id  pbft.ClientID
	c   *conn
	out *outbox
}

// clientTable holds the latest connection of every client, for replies.
type clientTable struct {
	max     int
	mu      sync.Mutex
	byID    map[pbft.ClientID]*clientSession
	sent    atomic.Uint64 // of sessions that ended
	dropped atomic.Uint64 // of sessions that ended, and sends with no session
}

func newClientTable(max int) *clientTable {
	return &clientTable{max: max, byID: make(map[pbft.ClientID]*clientSession)}
}

// put makes s the client's current session and returns the one it replaces; it refuses a new
// client beyond max.
func (ct *clientTable) put(s *clientSession) (old *clientSession, ok bool) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	old = ct.byID[s.id]
	if old == nil && len(ct.byID) >= ct.max {
		return nil, false
	}
	ct.byID[s.id] = s
	return old, true
}

// remove forgets s unless a newer session replaced it, and keeps its counts.
func (ct *clientTable) remove(s *clientSession) {
	ct.mu.Lock()
	if ct.byID[s.id] == s {
		delete(ct.byID, s.id)
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
	return s.out.offer(frame)
}

func (ct *clientTable) stats() (clients int, sent, dropped uint64) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	sent, dropped = ct.sent.Load(), ct.dropped.Load()
	for _, s := range ct.byID {
		sent += s.out.sent.Load()
		dropped += s.out.dropped.Load()
	}
	return len(ct.byID), sent, dropped
}

// serveClient runs a client connection on the goroutine that accepted it.
func (t *Transport) serveClient(c *conn, id pbft.ClientID) {
	s := &clientSession{id: id, c: c, out: newOutbox(t.opts.queueLen)}
	old, ok := t.clients.put(s)
	if !ok {
		t.reject(c, "too many clients", nil)
		return
	}
	if old != nil {
		old.c.Close() // its serve ends and removes nothing, since s replaced it
	}
	label := t.self.String() + "<->client " + string(id)
	t.serve(c, label, s.out, nil, func(frame []byte) { t.onClient(id, frame) }, nil)
	t.clients.remove(s)
}
