package transport

import (
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
		src := sourceOf(nc)
		if !t.pending.acquire(src) {
			t.refused.pending.Add(1)
			nc.Close()
			continue
		}
		if !t.track(nc) {
			return
		}
		t.spawn(func() { t.handleConn(nc, src) })
	}
}

// handleConn runs the handshake of an accepted connection (handshake.go), within
// HelloTimeout and holding a place among the pending connections, then serves it as what it
// proved to be.
func (t *Transport) handleConn(nc net.Conn, src string) {
	nc.SetDeadline(time.Now().Add(t.opts.helloTimeout))
	serve, err := t.authenticate(nc, src)
	t.pending.release(src)
	nc.SetDeadline(time.Time{})
	if err != nil {
		t.refuse(nc, err)
		return
	}
	serve()
}

// refuse closes a connection that failed its handshake or a bound, and counts why.
func (t *Transport) refuse(nc net.Conn, err error) {
	t.refused.count(err)
	if !errors.Is(err, net.ErrClosed) {
		t.opts.log.Debug().Err(err).Msgf("%s refused connection from %s", t.self, nc.RemoteAddr())
	}
	t.drop(nc)
}
