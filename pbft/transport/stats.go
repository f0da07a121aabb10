package transport

import "github.com/bftbank/pbft/pbft"

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
	Clients        int    // client connections held now
	ClientSent     uint64 // frames flushed to clients
	ClientDropped  uint64 // frames SendClient refused: no connection, queue full, too large
	ProtocolErrors uint64 // connections closed for an oversize frame or a bad hello
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
