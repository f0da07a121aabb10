package transport

import (
	"net"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// A peer that accepts the connection and then never reads must not hold the sender forever:
// once the socket buffers are full, a write that makes no progress for WriteTimeout closes the
// connection, and the sender dials again.
func TestStalledPeerIsDroppedAfterWriteTimeout(t *testing.T) {
	lns, addrs := listenAll(t, 2)
	stalled := lns[1]
	held := make(chan net.Conn, 64)
	go func() {
		for {
			c, err := stalled.Accept()
			if err != nil {
				return
			}
			acceptReplicaRaw(c, 2)
			held <- c // never read
		}
	}()
	t.Cleanup(func() {
		stalled.Close()
		for {
			select {
			case c := <-held:
				c.Close()
			default:
				return
			}
		}
	})
	sender := startNode(t, 1, addrs, lns[0], Tuning{WriteTimeout: 200 * time.Millisecond})
	frame := make([]byte, 1<<20)
	waitFor(t, "a reconnection after the stalled write", func() bool {
		sender.Send(2, frame)
		return sender.Stats().Peers[pbft.NodeID(2)].Reconnects >= 1
	})
}

// A healthy connection outlives WriteTimeout: every batch of writes gets a fresh deadline.
func TestHealthyPeerOutlivesWriteTimeout(t *testing.T) {
	const timeout = 50 * time.Millisecond
	nodes, _ := startCluster(t, 2, Tuning{WriteTimeout: timeout})
	frame := make([]byte, 100<<10) // larger than the write buffer
	for start := time.Now(); time.Since(start) < 10*timeout; {
		if !nodes[0].Send(2, frame) {
			t.Fatal("send refused")
		}
		select {
		case <-nodes[1].fromPeers:
		case <-waitDeadline():
			t.Fatal("frame not delivered")
		}
	}
	if n := nodes[0].Stats().Peers[pbft.NodeID(2)].Reconnects; n != 0 {
		t.Fatalf("%d reconnections on a healthy connection", n)
	}
}
