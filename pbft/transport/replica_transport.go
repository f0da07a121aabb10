package transport

import (
	"fmt"
	"net"
	"sync/atomic"

	"github.com/bftbank/pbft/pbft"
)

// Transport is a replica's network endpoint: connections to every other replica, and the
// connections that clients open to it. It is safe for concurrent use.
type Transport struct {
	base
	self    pbft.NodeID
	keys    Keys
	limits  Limits
	ln      net.Listener
	peers   map[pbft.NodeID]*peer
	clients *clientTable
	// pending counts the connections in their handshake, clientConns the authenticated
	// client connections (limits.go); replica links are one per peer by construction.
	pending     *pendingPool
	clientConns *connCap
	onPeer      func(from pbft.NodeID, frame []byte)
	onClient    func(c pbft.ClientID, frame []byte)
	// clientIdle runs when a client connection has no complete frame buffered (Config).
	clientIdle func()
	started    atomic.Bool
}

// New listens on Addrs[Self] (or uses Config.Listener). Nothing is dialed or accepted before
// Start, but Send may queue frames already.
func New(cfg Config) (*Transport, error) {
	if _, ok := cfg.Addrs[cfg.Self]; !ok && cfg.Listener == nil {
		return nil, fmt.Errorf("transport: no address for self %v", cfg.Self)
	}
	if cfg.Self == pbft.Broadcast {
		return nil, fmt.Errorf("transport: self must be a replica id, not 0")
	}
	if cfg.Keys.Self == nil {
		return nil, fmt.Errorf("transport: no key for self %v", cfg.Self)
	}
	l := cfg.Limits.withDefaults()
	t := &Transport{self: cfg.Self, keys: cfg.Keys, limits: l, peers: make(map[pbft.NodeID]*peer), ln: cfg.Listener,
		clientIdle: cfg.ClientIdle, pending: newPendingPool(l.MaxPending, l.MaxPendingPerSource),
		clientConns: newConnCap(l.MaxClientConns, l.MaxClientConnsPerSource)}
	t.init(cfg.Tuning.options(cfg.Logger))
	t.opts.frameTimeout = l.FrameTimeout
	t.clients = newClientTable(orDefault(cfg.MaxClients, DefaultMaxClients), l)
	for id, addr := range cfg.Addrs {
		if id == cfg.Self {
			continue
		}
		if id == pbft.Broadcast {
			return nil, fmt.Errorf("transport: replica id 0 in Addrs")
		}
		if _, ok := cfg.Keys.Replicas[id]; !ok {
			return nil, fmt.Errorf("transport: no key for replica %v", id)
		}
		t.peers[id] = &peer{id: id, addr: addr, out: newOutbox(t.opts.queueLen, t.opts.queueBytes), incoming: make(chan *conn)}
	}
	if t.ln == nil {
		ln, err := net.Listen("tcp", cfg.Addrs[cfg.Self])
		if err != nil {
			return nil, fmt.Errorf("transport: %v", err)
		}
		t.ln = ln
	}
	return t, nil
}

// Addr is the address the transport listens on (useful when it was given port 0).
func (t *Transport) Addr() net.Addr { return t.ln.Addr() }

// Start begins accepting connections and connecting to the replicas with higher ids. onPeer
// receives every frame from a replica connection, with the id the connection's handshake
// proved (frames are still verified above: a replica may be faulty); onClient every frame
// from a client connection, with the client id proven on it. Both run on reader
// goroutines and must not block for long (see the package documentation). Start runs once.
func (t *Transport) Start(onPeer func(from pbft.NodeID, frame []byte), onClient func(c pbft.ClientID, frame []byte)) {
	if !t.started.CompareAndSwap(false, true) {
		return
	}
	t.onPeer, t.onClient = onPeer, onClient
	t.spawn(t.acceptLoop)
	for _, p := range t.peers {
		if t.self < p.id {
			t.spawn(func() { t.dialPeer(p) })
		} else {
			t.spawn(func() { t.acceptPeer(p) })
		}
	}
}

// Send queues frame for replica to without blocking. It returns false, and counts a drop,
// when the queue is full or the frame exceeds MaxFrame; it returns false for Self (the caller
// delivers its own copy locally) and for unknown replicas.
func (t *Transport) Send(to pbft.NodeID, frame []byte) bool {
	p, ok := t.peers[to]
	if !ok {
		return false
	}
	if len(frame) > t.opts.maxFrame {
		p.out.dropped.Add(1)
		return false
	}
	return p.out.offer(frame)
}

// Broadcast sends frame to every other replica and returns how many queues took it.
func (t *Transport) Broadcast(frame []byte) int {
	n := 0
	for id := range t.peers {
		if t.Send(id, frame) {
			n++
		}
	}
	return n
}

// SendClient queues frame for the latest connection of client c without blocking; false when
// the client has no connection, its queue is full, or the frame exceeds MaxFrame.
func (t *Transport) SendClient(c pbft.ClientID, frame []byte) bool {
	if len(frame) > t.opts.maxFrame {
		t.clients.dropped.Add(1)
		return false
	}
	return t.clients.send(c, frame)
}

// Stats returns a snapshot of the counters.
func (t *Transport) Stats() Stats {
	s := Stats{Peers: make(map[pbft.NodeID]PeerStats, len(t.peers)), ProtocolErrors: t.protocolErrors.Load(),
		ClientConns: int(t.clients.conns.Load()), Refused: t.refused.snapshot()}
	for id, p := range t.peers {
		s.Peers[id] = p.stats()
	}
	s.Clients, s.ClientSent, s.ClientDropped = t.clients.stats()
	s.Refused.PerClient = t.clients.displaced.Load()
	return s
}

// Close closes the listener and every connection and waits for every goroutine of the
// transport to end, callbacks included. Frames still queued are discarded.
func (t *Transport) Close() error {
	t.mu.Lock()
	already := t.closed
	t.mu.Unlock()
	if already {
		return nil
	}
	err := t.ln.Close()
	t.shutdown()
	return err
}
