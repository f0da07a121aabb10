package transport

import (
	"net"
	"sync"
	"time"
)

// Bounds at the edges. Every resource that a connection, or the peer behind it, can occupy
// is bounded here, and each refusal is counted in Stats.Refused. docs/design.md "Bounds at the edges"
// lists the same values.
const (
	// DefaultMaxPending bounds the connections still in their handshake, in total...
	// Beyond it a newcomer sheds the oldest pending connection rather than being refused
	// (pending.go), so stalled connections cannot keep honest handshakes out.
	DefaultMaxPending = 1024
	// DefaultMaxPendingPerSource ...and per source address (IP), shedding that source's
	// oldest.
	DefaultMaxPendingPerSource = 256
	// DefaultMaxClientConns bounds the authenticated client connections, in total...
	DefaultMaxClientConns = 4096
	// DefaultMaxClientConnsPerSource ...and per source address.
	DefaultMaxClientConnsPerSource = 1024
	// DefaultMaxConnsPerClient bounds the connections one client id is attached on at once
	// (plain or multiplexed). A client needs one per replica; the bound leaves room for a
	// reconnecting client's new connection while its old one is not yet known dead, and for
	// a second process with the same key. Beyond it the newest wins: the id is detached from
	// its oldest connection, which closes if no client is left on it. Refusing the newcomer
	// instead would let stale or hostile connections lock the client out for IdleTimeout.
	DefaultMaxConnsPerClient = 4
	// DefaultMaxClientsPerConn bounds the client ids one connection may prove (a ClientMux
	// attaches many; a ClientConn one).
	DefaultMaxClientsPerConn = 4096
	// DefaultMaxClientsPerSource bounds the client ids routed to the connections of one
	// source address; DefaultMaxClients bounds them in total.
	DefaultMaxClientsPerSource = 16384
	// DefaultClientMaxFrame is the largest frame a client connection may send or receive: a
	// request (at most pbft.MaxOpBytes of operation) or a reply needs a few KiB.
	DefaultClientMaxFrame = 64 << 10
	// DefaultIdleTimeout closes a client connection that sends nothing for this long (the
	// client redials when it next sends). Replica links have no idle deadline: there is one
	// per authenticated peer, and TCP keepalive finds dead ones.
	DefaultIdleTimeout = 5 * time.Minute
	// DefaultFrameTimeout bounds the read of one frame once its first byte arrived, plus
	// one second per MiB announced (frameRate), so a trickled frame is cut.
	DefaultFrameTimeout = 10 * time.Second
	// DefaultReplaceInterval is the least time between two replacements of a replica's link
	// by newer authenticated connections from it; one arriving sooner is refused.
	DefaultReplaceInterval = 500 * time.Millisecond
)

// frameRate is the slowest transfer a frame body is given time for, beyond FrameTimeout.
const frameRate = 1 << 20 // bytes per second

// readChunk is the first allocation for a frame body: a buffer grows (doubling) only as the
// bytes arrive, so an announced length costs nothing until it is sent.
const readChunk = 64 << 10

// Limits bounds what connections may occupy; zero fields take the defaults above.
type Limits struct {
	MaxPending              int
	MaxPendingPerSource     int
	MaxClientConns          int
	MaxClientConnsPerSource int
	MaxConnsPerClient       int
	MaxClientsPerConn       int
	MaxClientsPerSource     int
	ClientMaxFrame          int
	IdleTimeout             time.Duration
	FrameTimeout            time.Duration
	ReplaceInterval         time.Duration
}

func (l Limits) withDefaults() Limits {
	l.MaxPending = orDefault(l.MaxPending, DefaultMaxPending)
	l.MaxPendingPerSource = orDefault(l.MaxPendingPerSource, DefaultMaxPendingPerSource)
	l.MaxClientConns = orDefault(l.MaxClientConns, DefaultMaxClientConns)
	l.MaxClientConnsPerSource = orDefault(l.MaxClientConnsPerSource, DefaultMaxClientConnsPerSource)
	l.MaxConnsPerClient = orDefault(l.MaxConnsPerClient, DefaultMaxConnsPerClient)
	l.MaxClientsPerConn = orDefault(l.MaxClientsPerConn, DefaultMaxClientsPerConn)
	l.MaxClientsPerSource = orDefault(l.MaxClientsPerSource, DefaultMaxClientsPerSource)
	l.ClientMaxFrame = orDefault(l.ClientMaxFrame, DefaultClientMaxFrame)
	l.IdleTimeout = orDefault(l.IdleTimeout, DefaultIdleTimeout)
	l.FrameTimeout = orDefault(l.FrameTimeout, DefaultFrameTimeout)
	l.ReplaceInterval = orDefault(l.ReplaceInterval, DefaultReplaceInterval)
	return l
}

// connCap counts the connections of one class, in total and per source address.
type connCap struct {
	mu       sync.Mutex
	total    int
	bySource map[string]int
	max, per int
}

func newConnCap(max, per int) *connCap {
	return &connCap{max: max, per: per, bySource: make(map[string]int)}
}

// acquire takes a place for a connection from src; false when a bound is reached.
func (c *connCap) acquire(src string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total >= c.max || c.bySource[src] >= c.per {
		return false
	}
	c.total++
	c.bySource[src]++
	return true
}

// release gives back a place acquire took.
func (c *connCap) release(src string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total--
	if c.bySource[src]--; c.bySource[src] <= 0 {
		delete(c.bySource, src)
	}
}

// sourceOf is the address a connection is counted under: its IP.
func sourceOf(nc net.Conn) string {
	addr := nc.RemoteAddr()
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}
