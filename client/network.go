package client

import (
	"fmt"

	"github.com/rs/zerolog"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/transport"
)

// Network shares one connection per replica among many clients of one process
// (transport.ClientMux). With hundreds of clients in a process, a replica then answers every
// client of a slot with one write and the process reads the answers with one read, instead
// of a system call per reply on each side. Pass it in Options.Network.
type Network struct {
	mux *transport.ClientMux
}

// NewNetwork prepares shared connections to the replicas of cfg; name labels them.
func NewNetwork(cfg *cluster.Config, name string, tuning transport.Tuning, logger zerolog.Logger) (*Network, error) {
	if cfg == nil {
		return nil, fmt.Errorf("client network: no cluster configuration")
	}
	mux, err := transport.NewClientMux(transport.ClientConfig{ID: pbft.ClientID(name), Addrs: cfg.Addrs(), Tuning: tuning, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("client network: %w", err)
	}
	return &Network{mux: mux}, nil
}

// Close closes the shared connections; the clients that use them can no longer send.
func (n *Network) Close() error { return n.mux.Close() }

// link is how a Client reaches the replicas: its own connections or a shared Network.
type link interface {
	Send(to pbft.NodeID, frame []byte) bool
	Broadcast(frame []byte) int
	// unreached lists the replicas that cannot reply to the client yet: a new ordered
	// request goes to them too, which opens the way back.
	unreached() []pbft.NodeID
	Close() error
}

// ownLink is a client's own connections, one per replica: a replica replies on the
// connection the client opened, so each must have been used once.
type ownLink struct{ *transport.ClientConn }

func (l ownLink) unreached() []pbft.NodeID {
	var out []pbft.NodeID
	for id, st := range l.Stats() {
		if !st.Connected {
			out = append(out, id)
		}
	}
	return out
}

// sharedLink is a client's view of a Network: attaching announced it to every replica.
type sharedLink struct {
	mux *transport.ClientMux
	id  pbft.ClientID
}

func (l sharedLink) Send(to pbft.NodeID, frame []byte) bool { return l.mux.Send(to, l.id, frame) }

func (l sharedLink) Broadcast(frame []byte) int { return l.mux.Broadcast(l.id, frame) }

func (l sharedLink) unreached() []pbft.NodeID { return nil }

// Close detaches the client; the shared connections stay open for the others.
func (l sharedLink) Close() error {
	l.mux.Detach(l.id)
	return nil
}
