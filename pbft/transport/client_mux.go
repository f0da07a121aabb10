package transport

import (
	"fmt"
	"sync"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

// ClientMux carries the frames of many clients of one process over one connection per
// replica (hello role 3; frame format in mux_frames.go). A replica then answers the clients of a
// whole slot with one write, and the process reads them with one read, where separate
// connections would cost a system call on each side per reply. It is safe for concurrent use.
type ClientMux struct {
	base
	name  pbft.ClientID
	links linkSet

	mu      sync.RWMutex
	clients map[pbft.ClientID]muxClient
	nonces  map[pbft.NodeID]nonces // of each link's current connection
}

// muxClient is an attached client: its key proves it on every connection.
type muxClient struct {
	key     *crypto.SigningKey
	onReply func(from pbft.NodeID, frame []byte)
}

// NewClientMux prepares the shared connections; cfg.ID names the process (it only labels
// the connection; cfg.Key is not used: every client proves its own key). Each connection is
// dialed when its first frame is queued, and redialed the same way after it breaks; on every
// connection the attached clients are proven first.
func NewClientMux(cfg ClientConfig) (*ClientMux, error) {
	if cfg.ID == "" || len(cfg.ID) > maxClientIDLen {
		return nil, fmt.Errorf("transport: mux name must have 1 to %d bytes", maxClientIDLen)
	}
	if len(cfg.Addrs) == 0 {
		return nil, fmt.Errorf("transport: no replica addresses")
	}
	m := &ClientMux{name: cfg.ID, links: make(linkSet),
		clients: make(map[pbft.ClientID]muxClient), nonces: make(map[pbft.NodeID]nonces)}
	opts := cfg.Tuning.clientOptions(cfg.Logger)
	opts.coalesce = true
	m.init(opts)
	for id, addr := range cfg.Addrs {
		l := &clientLink{id: id, addr: addr, out: newOutbox(max(m.opts.queueLen, muxQueueLen), m.opts.queueBytes)}
		m.links[id] = l
		h := hello{role: roleClientMux, client: cfg.ID}
		label := "clients " + string(cfg.ID) + "<->" + id.String()
		m.spawn(func() { m.runLink(l, h, label, noProof, m.deliverFrom(id), m.attachFrames) })
	}
	return m, nil
}

// Attach registers client id, whose key is key: frames for it from any replica go to onReply
// (on a reader goroutine, as for ClientConn), and every replica is sent the client's proof at
// once, so that it can reply before the client ever sent it anything. A replica refuses the
// frames of a client whose key it does not know.
func (m *ClientMux) Attach(id pbft.ClientID, key *crypto.SigningKey, onReply func(from pbft.NodeID, frame []byte)) error {
	if id == "" || len(id) > maxClientIDLen {
		return fmt.Errorf("transport: client id must have 1 to %d bytes", maxClientIDLen)
	}
	if key == nil {
		return fmt.Errorf("transport: client %s has no key", id)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.clients[id]; dup {
		return fmt.Errorf("transport: client %s attached twice", id)
	}
	m.clients[id] = muxClient{key: key, onReply: onReply}
	// Proven for each link's current connection. A connection that opens after this sees
	// the client in attachFrames (both hold mu); a proof for a connection already gone is
	// dropped by the replica as stale, cheaply. Queuing it also opens a link not yet dialed.
	for id2, l := range m.links {
		l.out.offer(encodeMux(muxAttach, id, attachProof(key, id2, id, m.nonces[id2])))
	}
	return nil
}

// Detach stops delivering frames to client id.
func (m *ClientMux) Detach(id pbft.ClientID) {
	m.mu.Lock()
	delete(m.clients, id)
	m.mu.Unlock()
}

// Send queues frame of client id for replica to without blocking; false when the replica is
// unknown, the queue is full, or the multiplexed frame exceeds MaxFrame (the replica's bound
// on what it reads).
func (m *ClientMux) Send(to pbft.NodeID, id pbft.ClientID, frame []byte) bool {
	return m.links.send(to, encodeMux(muxData, id, frame), m.opts.maxFrame)
}

// Broadcast sends frame of client id to every replica and returns how many queues took it.
func (m *ClientMux) Broadcast(id pbft.ClientID, frame []byte) int {
	muxed, sent := encodeMux(muxData, id, frame), 0
	for to := range m.links {
		if m.links.send(to, muxed, m.opts.maxFrame) {
			sent++
		}
	}
	return sent
}

// Stats returns the counters of the shared links.
func (m *ClientMux) Stats() map[pbft.NodeID]PeerStats { return m.links.stats() }

// Close closes every connection and waits for the goroutines, callbacks included.
func (m *ClientMux) Close() error {
	m.shutdown()
	return nil
}

// attachFrames proves every attached client on a new connection to replica to.
func (m *ClientMux) attachFrames(to pbft.NodeID, c *conn) [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nonces[to] = c.nonces
	frames := make([][]byte, 0, len(m.clients))
	for id, mc := range m.clients {
		frames = append(frames, encodeMux(muxAttach, id, attachProof(mc.key, to, id, c.nonces)))
	}
	return frames
}

// deliverFrom hands the frames of replica from to the clients they name.
func (m *ClientMux) deliverFrom(from pbft.NodeID) func([]byte) {
	return func(frame []byte) {
		kind, id, payload, err := decodeMux(frame)
		if err != nil || kind != muxData {
			m.protocolErrors.Add(1)
			return
		}
		m.mu.RLock()
		mc, ok := m.clients[id]
		m.mu.RUnlock()
		if ok {
			mc.onReply(from, payload)
		}
	}
}
