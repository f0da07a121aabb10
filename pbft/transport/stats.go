package transport

import (
	"errors"
	"net"
	"sync/atomic"

	"github.com/bftbank/pbft/pbft"
)

// PeerStats counts the traffic to one replica.
type PeerStats struct {
	Connected  bool
	Queued     int    // frames waiting in the queue now
	Sent       uint64 // frames flushed to the connection
	Dropped    uint64 // frames refused by Send: queue full or frame too large
	Reconnects uint64 // connections established after the first
}

// Stats is a snapshot of a transport's counters.
type Stats struct {
	Peers          map[pbft.NodeID]PeerStats
	Clients        int    // client ids routed now
	ClientConns    int    // authenticated client connections now
	ClientSent     uint64 // frames flushed to clients
	ClientDropped  uint64 // frames SendClient refused: no connection, queue full, too large
	ProtocolErrors uint64 // connections closed for an oversize or malformed frame
	Refused        Refusals
}

// Refusals counts what the handshake and the bounds at the edges (limits.go) refused or cut.
type Refusals struct {
	Pending     uint64 // connections in their handshake shed for a newer one: MaxPending(PerSource)
	Handshake   uint64 // handshakes malformed, misaddressed, cut short or timed out
	BadProof    uint64 // handshakes and attaches whose signature did not verify
	Unknown     uint64 // hellos and attaches naming a client without a key in the configuration
	ClientConns uint64 // client connections refused: MaxClientConns or MaxClientConnsPerSource
	ClientIDs   uint64 // client ids refused: MaxClients, MaxClientsPerConn, MaxClientsPerSource
	PerClient   uint64 // client ids detached from their oldest connection by MaxConnsPerClient
	Replace     uint64 // authenticated replica connections refused by ReplaceInterval
	StaleAttach uint64 // attaches proving an earlier connection's challenge, dropped
	Unattached  uint64 // multiplexed frames of a client not proven on their connection, dropped
	Timeouts    uint64 // connections cut by IdleTimeout or FrameTimeout
}

// refusals holds the counters of Refusals.
type refusals struct {
	pending, handshake, badProof, unknown, clientConns, clientIDs atomic.Uint64
	replace, staleAttach, unattached, timeouts                    atomic.Uint64
}

// count files a refusal under the counter its error names.
func (r *refusals) count(err error) {
	var ne net.Error
	switch {
	case errors.Is(err, errBadProof):
		r.badProof.Add(1)
	case errors.Is(err, errUnknownClient):
		r.unknown.Add(1)
	case errors.Is(err, errClientConns):
		r.clientConns.Add(1)
	case errors.Is(err, errClientIDs):
		r.clientIDs.Add(1)
	case errors.Is(err, errReplaceSoon):
		r.replace.Add(1)
	case errors.Is(err, errStaleAttach):
		r.staleAttach.Add(1)
	case errors.Is(err, net.ErrClosed):
	case errors.As(err, &ne) && ne.Timeout(), err != nil:
		r.handshake.Add(1)
	}
}

func (r *refusals) snapshot() Refusals {
	return Refusals{Pending: r.pending.Load(), Handshake: r.handshake.Load(), BadProof: r.badProof.Load(),
		Unknown: r.unknown.Load(), ClientConns: r.clientConns.Load(), ClientIDs: r.clientIDs.Load(),
		Replace: r.replace.Load(), StaleAttach: r.staleAttach.Load(), Unattached: r.unattached.Load(),
		Timeouts: r.timeouts.Load()}
}

func (p *peer) stats() PeerStats {
	s := PeerStats{
		Connected: p.connected.Load(),
		Queued:    len(p.out.frames),
		Sent:      p.out.sent.Load(),
		Dropped:   p.out.dropped.Load(),
	}
	if n := p.connects.Load(); n > 1 {
		s.Reconnects = n - 1
	}
	return s
}
