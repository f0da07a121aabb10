package transport

import (
	"bufio"
	"net"
	"sync"

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
	// attached holds the ids attached on this connection: proven on it, and not displaced
	// by newer connections of the same client since (clientTable.route). It changes only
	// under clientTable.mu and mu; the connection's reader reads it under mu (has).
	mu       sync.Mutex
	attached map[pbft.ClientID]struct{}
}

// has reports whether client id is attached on s.
func (s *clientSession) has(id pbft.ClientID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.attached[id]
	return ok
}

func (s *clientSession) attach(id pbft.ClientID) {
	s.mu.Lock()
	s.attached[id] = struct{}{}
	s.mu.Unlock()
}

// detach removes id and returns how many clients remain attached.
func (s *clientSession) detach(id pbft.ClientID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.attached, id)
	return len(s.attached)
}

// newSession takes a place among the client connections for an authenticated connection.
func (t *Transport) newSession(nc net.Conn, src string, id pbft.ClientID, mux bool) (*clientSession, bool) {
	if !t.clientConns.acquire(src) {
		t.refuse(nc, errClientConns)
		return nil, false
	}
	t.clients.conns.Add(1)
	// A multiplexed session's queue is no longer than a plain one's: QueueLen (4,096) holds a
	// reply for every client it may attach (MaxClientsPerConn) and four full slots' replies
	// (docs/design.md, "Bounds at the edges"); a queue of 32,768 cost 768 KiB per session.
	c := &conn{Conn: nc, r: bufio.NewReaderSize(nc, ioBufferSize)}
	return &clientSession{id: id, mux: mux, src: src, c: c, out: newOutbox(t.opts.queueLen, t.opts.queueBytes),
		attached: make(map[pbft.ClientID]struct{}, 1)}, true
}

// endSession removes s's routes and gives back its place.
func (t *Transport) endSession(s *clientSession) {
	t.clients.remove(s)
	t.clients.conns.Add(-1)
	t.clientConns.release(s.src)
}

// takeOver routes id to s and closes the connections this leaves with no client: the
// single-client connection s replaces, and id's oldest beyond MaxConnsPerClient.
func (t *Transport) takeOver(id pbft.ClientID, s *clientSession) bool {
	empty, ok := t.clients.route(id, s)
	if !ok {
		t.refused.clientIDs.Add(1)
		return false
	}
	for _, e := range empty {
		e.c.Close() // its serve ends, and endSession removes what is left
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
