package transport

import (
	"bufio"
	"errors"
	"net"
	"time"
)

// acceptLoop accepts connections until the listener closes.
func (t *Transport) acceptLoop() {
	bo := newBackoff(t.opts.backoffMin, t.opts.backoffMax)
	for {
		nc, err := t.ln.Accept()
		if err != nil {
			if t.isClosed() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors and the like: wait rather than spin.
			t.opts.log.Warn().Err(err).Msgf("%s accept failed", t.self)
			if !bo.wait(t.done) {
				return
			}
			continue
		}
		bo.reset()
		if !t.track(nc) {
			return
		}
		t.spawn(func() { t.handleConn(nc) })
	}
}

// handleConn reads the hello of an accepted connection and hands it to its owner.
func (t *Transport) handleConn(nc net.Conn) {
	c := &conn{Conn: nc, r: bufio.NewReaderSize(nc, ioBufferSize)}
	nc.SetReadDeadline(time.Now().Add(t.opts.helloTimeout))
	h, err := readHello(c.r)
	nc.SetReadDeadline(time.Time{})
	if err != nil {
		t.reject(c, "bad hello", err)
		return
	}
	switch h.role {
	case roleClient:
		t.serveClient(c, h.client)
		return
	case roleClientMux:
		t.serveMux(c, h.client)
		return
	}
	p, ok := t.peers[h.from]
	if !ok || h.to != t.self || h.from > t.self {
		t.reject(c, "unexpected replica hello", nil)
		return
	}
	select {
	case p.incoming <- c:
	case <-t.done:
		t.drop(c)
	}
}

func (t *Transport) reject(c *conn, why string, err error) {
	if !errors.Is(err, net.ErrClosed) {
		t.protocolErrors.Add(1)
		t.opts.log.Debug().Err(err).Msgf("%s refused connection from %s: %s", t.self, c.RemoteAddr(), why)
	}
	t.drop(c)
}
