package transport

import (
	"sync"
	"sync/atomic"

	"github.com/bftbank/pbft/pbft"
)

// clientSession is one client connection on the replica side, with its own queue. A
// multiplexed session (mux) carries many clients; its frames are mux frames (mux.go).
type clientSession struct {
	id  pbft.ClientID // the client, or the session name of a mux
	mux bool
	c   *conn
	out *outbox
}

// clientTable routes replies: it holds the latest session of every client.
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

// route makes s the session of client id and returns the one it replaces (nil if none or
// s itself); it refuses a new client beyond max.
func (ct *clientTable) route(id pbft.ClientID, s *clientSession) (old *clientSession, ok bool) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	old = ct.byID[id]
	if old == s {
		return nil, true
	}
	if old == nil && len(ct.byID) >= ct.max {
		return nil, false
	}
	ct.byID[id] = s
	return old, true
}

// remove forgets every route to s and keeps its counts.
func (ct *clientTable) remove(s *clientSession) {
	ct.mu.Lock()
	if s.mux {
		for id, cur := range ct.byID {
			if cur == s {
				delete(ct.byID, id)
			}
		}
	} else if ct.byID[s.id] == s {
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

// serveClient runs a client connection on the goroutine that accepted it.
func (t *Transport) serveClient(c *conn, id pbft.ClientID) {
	s := &clientSession{id: id, c: c, out: newOutbox(t.opts.queueLen, t.opts.queueBytes)}
	old, ok := t.clients.route(id, s)
	if !ok {
		t.reject(c, "too many clients", nil)
		return
	}
	if old != nil && !old.mux {
		old.c.Close() // its serve ends and removes nothing, since s replaced it
	}
	label := t.self.String() + "<->client " + string(id)
	t.serve(c, stream{label: label, out: s.out, deliver: func(frame []byte) { t.onClient(id, frame) }, idle: t.onIdle})
	t.clients.remove(s)
}

// serveMux runs a multiplexed client connection: every frame names its client, and the
// replies of every client seen on it go back on it.
func (t *Transport) serveMux(c *conn, name pbft.ClientID) {
	s := &clientSession{id: name, mux: true, c: c, out: newOutbox(max(t.opts.queueLen, muxQueueLen), t.opts.queueBytes)}
	label := t.self.String() + "<->clients " + string(name)
	deliver := func(frame []byte) {
		kind, id, payload, err := decodeMux(frame)
		if err != nil {
			t.protocolErrors.Add(1)
			t.opts.log.Debug().Err(err).Msgf("%s protocol error, closing", label)
			c.Close()
			return
		}
		old, ok := t.clients.route(id, s)
		if !ok {
			return // too many clients: the frame is dropped, the others still served
		}
		if old != nil && !old.mux {
			old.c.Close()
		}
		if kind == muxData {
			t.onClient(id, payload)
		}
	}
	t.serve(c, stream{label: label, out: s.out, deliver: deliver, idle: t.onIdle})
	t.clients.remove(s)
}

// onIdle runs the configured end-of-burst callback, if any.
func (t *Transport) onIdle() {
	if t.clientIdle != nil {
		t.clientIdle()
	}
}
