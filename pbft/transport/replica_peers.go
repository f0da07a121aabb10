package transport

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// peer is the link to one other replica: its queue and its connection state.
type peer struct {
	id        pbft.NodeID
	addr      string
	out       *outbox
	incoming  chan *conn // connections the acceptor hands over (when the peer dials us)
	connected atomic.Bool
	connects  atomic.Uint64

	mu       sync.Mutex
	lastHand time.Time // when the acceptor last handed over a connection
}

// mayReplace reports whether an authenticated connection from the peer may be handed over
// now: always when the peer is not connected, and otherwise at most once every interval, so
// that reconnecting in a loop cannot thrash the link.
func (p *peer) mayReplace(interval time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.connected.Load() && now.Sub(p.lastHand) < interval {
		return false
	}
	p.lastHand = now
	return true
}

func (t *Transport) peerLabel(p *peer) string { return t.self.String() + "<->" + p.id.String() }

func (t *Transport) deliverFrom(p *peer) func([]byte) {
	return func(frame []byte) { t.onPeer(p.id, frame) }
}

// peerBackoffMax caps the redial backoff towards a replica below the transport's backoffMax:
// only this end dials, so a restarted replica waits for it, and a replica that comes back
// must not wait seconds for its link to a leader (docs/protocol.md, "Learning the view"). A
// dial to a dead replica twice a second costs nothing worth saving.
const peerBackoffMax = 500 * time.Millisecond

// dialPeer keeps a connection to a replica with a higher id, redialing with backoff.
func (t *Transport) dialPeer(p *peer) {
	bo := newBackoff(t.opts.backoffMin, min(t.opts.backoffMax, peerBackoffMax))
	h := hello{role: roleReplica, from: t.self, to: p.id}
	label, prove := t.peerLabel(p), replicaProver(t.keys, t.self, p.id)
	for {
		c, err := t.dial(p.addr, h, prove)
		if err == nil {
			began := time.Now()
			t.runPeerConn(p, c, label, nil)
			if time.Since(began) >= t.opts.backoffMax {
				bo.reset()
			}
		} else if !t.isClosed() {
			t.opts.log.Debug().Err(err).Msgf("%s dial failed", label)
		}
		if !bo.wait(t.done) {
			return
		}
	}
}

// acceptPeer serves the connections that a replica with a lower id opens to us.
func (t *Transport) acceptPeer(p *peer) {
	label := t.peerLabel(p)
	for {
		select {
		case c := <-p.incoming:
			t.runPeerConn(p, c, label, p.incoming)
		case <-t.done:
			return
		}
	}
}

// runPeerConn serves c, and every connection that replaces it, until none is left.
// A link that comes up, or goes down, is logged at info level; a connection that replaces a
// live one (the peer redialed) at debug.
func (t *Transport) runPeerConn(p *peer, c *conn, label string, replace <-chan *conn) {
	t.opts.log.Info().Msgf("%s connected", label)
	for c != nil {
		p.connects.Add(1)
		p.connected.Store(true)
		next := t.serve(c, stream{label: label, out: p.out, deliver: t.deliverFrom(p), replace: replace,
			maxFrame: t.opts.maxFrame})
		if next != nil {
			t.opts.log.Debug().Msgf("%s connection replaced", label)
		}
		c = next
		p.connected.Store(false)
	}
	if !t.isClosed() {
		t.opts.log.Info().Msgf("%s lost", label)
	}
}
