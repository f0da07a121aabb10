package transport

import (
	"bufio"
	"net"
	"sync"
	"sync/atomic"

	"github.com/bftbank/pbft/pbft"
)

// clientSession is one authenticated client connection on the replica side, with its own
// queue. A multiplexed session (mux) carries many clients; its frames are mux frames
// (mux_frames.go).
type clientSession struct {
	id  pbft.ClientID // the client, or the session name of a mux
	mux bool
	src string // the source address, for the per-source bounds
	c   *conn
	out *outbox
	// attached holds the ids proven on this connection. Only the connection's reader (or
	// the goroutine that accepted it, before) touches it, and remove after the reader ended.
	attached map[pbft.ClientID]struct{}
}

// clientTable routes replies: it holds the latest proven session of every client.
type clientTable struct {
	max, perSource, perConn int
	mu                      sync.Mutex
	byID                    map[pbft.ClientID]*clientSession
	bySource                map[string]int // routed ids per source address
	conns                   atomic.Int64
	sent                    atomic.Uint64 // of sessions that ended
	dropped                 atomic.Uint64 // of sessions that ended, and sends with no session
}

func newClientTable(max int, l Limits) *clientTable {
	return &clientTable{max: max, perSource: l.MaxClientsPerSource, perConn: l.MaxClientsPerConn,
		byID: make(map[pbft.ClientID]*clientSession), bySource: make(map[string]int)}
}

// route makes s, on which client id was proven, the session of id and returns the one it
// replaces (nil if none or s itself). It refuses an id beyond MaxClientsPerConn on s, a new
// client beyond max, and one beyond MaxClientsPerSource for s's source.
func (ct *clientTable) route(id pbft.ClientID, s *clientSession) (old *clientSession, ok bool) {
	if _, known := s.attached[id]; !known && len(s.attached) >= ct.perConn {
		return nil, false
	}
	ct.mu.Lock()
	defer ct.mu.Unlock()
	old = ct.byID[id]
	if old == s {
		return nil, true
	}
	if old == nil && len(ct.byID) >= ct.max {
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
	s.attached[id] = struct{}{}
	return old, true
}

func (ct *clientTable) unsource(src string) {
	if ct.bySource[src]--; ct.bySource[src] <= 0 {
		delete(ct.bySource, src)
	}
}

// remove forgets every route to s and keeps its counts.
func (ct *clientTable) remove(s *clientSession) {
	ct.mu.Lock()
	for id := range s.attached {
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

// newSession takes a place among the client connections for an authenticated connection.
func (t *Transport) newSession(nc net.Conn, src string, id pbft.ClientID, mux bool) (*clientSession, bool) {
	if !t.clientConns.acquire(src) {
		t.refuse(nc, errClientConns)
		return nil, false
	}
	t.clients.conns.Add(1)
	queue := t.opts.queueLen
	if mux {
		queue = max(queue, muxQueueLen)
	}
	c := &conn{Conn: nc, r: bufio.NewReaderSize(nc, ioBufferSize)}
	return &clientSession{id: id, mux: mux, src: src, c: c, out: newOutbox(queue, t.opts.queueBytes),
		attached: make(map[pbft.ClientID]struct{}, 1)}, true
}

// endSession removes s's routes and gives back its place.
func (t *Transport) endSession(s *clientSession) {
	t.clients.remove(s)
	t.clients.conns.Add(-1)
	t.clientConns.release(s.src)
}

// takeOver routes id to s and closes the single-client connection it replaces, if any.
func (t *Transport) takeOver(id pbft.ClientID, s *clientSession) bool {
	old, ok := t.clients.route(id, s)
	if !ok {
		t.refused.clientIDs.Add(1)
		return false
	}
	if old != nil && !old.mux {
		old.c.Close() // its serve ends and removes nothing, since s replaced it
	}
	return true
}

// serveClient runs a client connection, proven to be client id's, on the goroutine that
// accepted it.
func (t *Transport) serveClient(nc net.Conn, src string, id pbft.ClientID) {
	s, ok := t.newSession(nc, src, id, false)
	if !ok {
		return
	}
	defer t.endSession(s)
	if !t.takeOver(id, s) {
		t.drop(nc)
		return
	}
	label := t.self.String() + "<->client " + string(id)
	t.serve(s.c, t.clientStream(label, s.out, func(frame []byte) { t.onClient(id, frame) }))
}

// clientStream is how a replica runs a client connection: client frame bound, idle deadline.
func (t *Transport) clientStream(label string, out *outbox, deliver func([]byte)) stream {
	return stream{label: label, out: out, deliver: deliver, idle: t.onIdle,
		maxFrame: t.limits.ClientMaxFrame, idleTimeout: t.limits.IdleTimeout}
}

// onIdle runs the configured end-of-burst callback, if any.
func (t *Transport) onIdle() {
	if t.clientIdle != nil {
		t.clientIdle()
	}
}
