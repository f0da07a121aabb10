package transport

import (
	"net"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// One client key holds at most MaxConnsPerClient connections at a replica: each newer one
// detaches the client from its oldest, which closes once no client is left on it. Before
// this bound, one key filled MaxClientConns and locked every other client out.
func TestOneKeyHoldsAtMostMaxConnsPerClient(t *testing.T) {
	const perClient, tries = 2, 10
	caps := func(c *Config) { c.Limits.MaxClientConns = 6; c.Limits.MaxConnsPerClient = perClient }
	nodes, addrs := startCluster(t, 1, fastTuning, caps)
	echo(t, nodes[0])
	var conns []net.Conn
	for i := 1; i <= tries; i++ {
		c, _ := dialMuxRaw(t, addrs[1], "A")
		conns = append(conns, c)
		waitFor(t, "A's newest connection attached", func() bool {
			s := nodes[0].Stats()
			return s.ClientConns == min(i, perClient) && s.Refused.PerClient == uint64(max(0, i-perClient))
		})
	}
	for _, c := range conns[:tries-perClient] {
		expectClosed(t, c)
	}
	stop := attackWithKey(addrs[1], "A")
	defer stop()
	cc, replies := newClient(t, "B", addrs)
	sendUntilReply(t, cc, replies, 1, "served while A tries")
}

// attackWithKey opens multiplexed connections attaching client id, one after another, until
// stop is called. It keeps the latest few open (the replica closed the others).
func attackWithKey(addr string, id pbft.ClientID) (stop func()) {
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			select {
			case <-done:
				return
			default:
			}
			if c, _, _ := muxRaw(addr, id); c != nil {
				conns = append(conns, c)
			}
			if len(conns) > 8 {
				conns[0].Close()
				conns = conns[1:]
			}
		}
	}()
	return func() { close(done); <-ended }
}
