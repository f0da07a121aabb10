package transport

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/rs/zerolog"
)

// ClientConfig configures a client's connections to the replicas.
type ClientConfig struct {
	ID    pbft.ClientID
	Addrs map[pbft.NodeID]string
	// Key is the client's Ed25519 key, which proves ID to every replica (ClientConn only;
	// the clients of a ClientMux prove theirs on Attach).
	Key *crypto.SigningKey
	Tuning
	Logger zerolog.Logger
}

// ClientConn is a client's set of connections, one per replica. A connection is dialed when
// the first frame for that replica is queued, and redialed the same way after it breaks;
// replies arrive on the same connection. It is safe for concurrent use.
type ClientConn struct {
	base
	id      pbft.ClientID
	key     *crypto.SigningKey
	links   linkSet
	onReply func(from pbft.NodeID, frame []byte)
}

// clientLink is the client's queue towards one replica.
type clientLink struct {
	id        pbft.NodeID
	addr      string
	out       *outbox
	connected atomic.Bool
	connects  atomic.Uint64
}

// DialClient prepares connections from client id, whose key is key, to the replicas at addrs
// with default tuning; see NewClient.
func DialClient(id pbft.ClientID, key *crypto.SigningKey, addrs map[pbft.NodeID]string, onReply func(from pbft.NodeID, frame []byte)) (*ClientConn, error) {
	return NewClient(ClientConfig{ID: id, Key: key, Addrs: addrs, Logger: zerolog.Nop()}, onReply)
}

// NewClient prepares the client's connections. Nothing is dialed until a frame is sent; an
// unreachable replica is retried with backoff in the background. onReply receives every frame
// that a replica sends on its connection, with the replica's id as dialed (not authenticated),
// on a reader goroutine (see the package documentation).
func NewClient(cfg ClientConfig, onReply func(from pbft.NodeID, frame []byte)) (*ClientConn, error) {
	if cfg.ID == "" || len(cfg.ID) > maxClientIDLen {
		return nil, fmt.Errorf("transport: client id must have 1 to %d bytes", maxClientIDLen)
	}
	if len(cfg.Addrs) == 0 {
		return nil, fmt.Errorf("transport: no replica addresses")
	}
	if cfg.Key == nil {
		return nil, fmt.Errorf("transport: client %s has no key", cfg.ID)
	}
	cc := &ClientConn{id: cfg.ID, key: cfg.Key, links: make(linkSet), onReply: onReply}
	cc.init(cfg.Tuning.clientOptions(cfg.Logger))
	for id, addr := range cfg.Addrs {
		l := &clientLink{id: id, addr: addr, out: newOutbox(cc.opts.queueLen, cc.opts.queueBytes)}
		cc.links[id] = l
		cc.spawn(func() { cc.run(l) })
	}
	return cc, nil
}

// Send queues frame for replica to without blocking; false when the replica is unknown, the
// queue is full, or the frame exceeds MaxFrame.
func (cc *ClientConn) Send(to pbft.NodeID, frame []byte) bool {
	return cc.links.send(to, frame, cc.opts.maxFrame)
}

// Broadcast sends frame to every replica and returns how many queues took it.
func (cc *ClientConn) Broadcast(frame []byte) int {
	n := 0
	for id := range cc.links {
		if cc.Send(id, frame) {
			n++
		}
	}
	return n
}

// Stats returns the counters of the client's links.
func (cc *ClientConn) Stats() map[pbft.NodeID]PeerStats { return cc.links.stats() }

// Close closes every connection and waits for the client's goroutines, callbacks included.
func (cc *ClientConn) Close() error {
	cc.shutdown()
	return nil
}

// run waits for a frame to send, connects, and serves the connection until it breaks.
func (cc *ClientConn) run(l *clientLink) {
	h := hello{role: roleClient, client: cc.id}
	label := "client " + string(cc.id) + "<->" + l.id.String()
	cc.runLink(l, h, label, clientProver(cc.key, cc.id, l.id), func(frame []byte) { cc.onReply(l.id, frame) }, nil)
}

// runLink waits for a frame to send to l, connects with hello h and the handshake of prove,
// writes the frames of opening (if set) and that frame, and serves the connection until it
// breaks; again until the owner closes.
func (b *base) runLink(l *clientLink, h hello, label string, prove prover, deliver func([]byte), opening func(pbft.NodeID, *conn) [][]byte) {
	bo := newBackoff(b.opts.backoffMin, b.opts.backoffMax)
	for {
		var first []byte
		select {
		case first = <-l.out.frames:
			l.out.took(first)
		case <-b.done:
			return
		}
		c, err := b.dial(l.addr, h, prove)
		for err != nil {
			b.opts.log.Debug().Err(err).Msgf("%s dial failed", label)
			if !bo.wait(b.done) {
				return
			}
			c, err = b.dial(l.addr, h, prove)
		}
		began := time.Now()
		l.connects.Add(1)
		l.connected.Store(true)
		var frames [][]byte
		if opening != nil {
			frames = opening(l.id, c)
		}
		b.serve(c, stream{label: label, out: l.out, first: append(frames, first), deliver: deliver,
			maxFrame: b.opts.maxFrame})
		l.connected.Store(false)
		if time.Since(began) >= b.opts.backoffMax {
			bo.reset()
		} else if !bo.wait(b.done) {
			return
		}
	}
}

func (l *clientLink) stats() PeerStats {
	s := PeerStats{Connected: l.connected.Load(), Queued: len(l.out.frames),
		Sent: l.out.sent.Load(), Dropped: l.out.dropped.Load()}
	if n := l.connects.Load(); n > 1 {
		s.Reconnects = n - 1
	}
	return s
}

// linkSet is a client's links, one per replica.
type linkSet map[pbft.NodeID]*clientLink

// send queues frame for replica to without blocking; false when the replica is unknown, the
// queue is full, or the frame exceeds maxFrame.
func (ls linkSet) send(to pbft.NodeID, frame []byte, maxFrame int) bool {
	l, ok := ls[to]
	if !ok {
		return false
	}
	if len(frame) > maxFrame {
		l.out.dropped.Add(1)
		return false
	}
	return l.out.offer(frame)
}

func (ls linkSet) stats() map[pbft.NodeID]PeerStats {
	out := make(map[pbft.NodeID]PeerStats, len(ls))
	for id, l := range ls {
		out[id] = l.stats()
	}
	return out
}
