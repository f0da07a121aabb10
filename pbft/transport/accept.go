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
		pc, shed := t.pending.admit(nc, src)
		if shed != nil {
			t.refused.pending.Add(1)
			shed.Close() // its handshake fails; handleConn finds its place gone
		}
		if !t.track(nc) {
			return
		}
		t.spawn(func() { t.handleConn(pc) })
	}
}

// handleConn runs the handshake of an accepted connection (handshake.go), within
// HelloTimeout and holding a place among the pending connections, then serves it as what it
// proved to be, unless a newer connection took its place meanwhile (pending.go).
func (t *Transport) handleConn(pc *pendingConn) {
	nc, src := pc.nc, pc.src
	nc.SetDeadline(time.Now().Add(t.opts.helloTimeout))
	serve, err := t.authenticate(nc, src)
	if !t.pending.release(pc) && err == nil {
		err = net.ErrClosed // shed as it completed: closed already
	}
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
