package transport

import (
	"net"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// A replica that starts late receives what was queued for it, and a replica that restarts is
// reached again through the dialer's reconnection.
func TestLatePeerAndRestart(t *testing.T) {
	addrs := map[pbft.NodeID]string{1: freeAddr(t), 2: freeAddr(t)}
	n1 := startNode(t, 1, addrs, nil, fastTuning)
	if !n1.Send(2, []byte("queued while down")) {
		t.Fatal("Send to a down peer refused")
	}
	n2 := startNode(t, 2, addrs, nil, fastTuning)
	expect(t, n2.fromPeers, received{1, "queued while down"})
	n2.Send(1, []byte("back"))
	expect(t, n1.fromPeers, received{2, "back"})

	n2.Close()
	waitFor(t, "n1 to notice n2 is gone", func() bool { return !n1.Stats().Peers[2].Connected })
	n1.Send(2, []byte("after restart"))
	n2 = startNode(t, 2, addrs, nil, fastTuning)
	expect(t, n2.fromPeers, received{1, "after restart"})
	if s := n1.Stats().Peers[2]; s.Reconnects < 1 || !s.Connected {
		t.Fatalf("n1 stats for n2 after the restart: %+v", s)
	}
}

// The higher replica cannot dial; when the lower one restarts, it dials again and the higher
// replica's queued frames flow over the new connection.
func TestLowerPeerRestart(t *testing.T) {
	addrs := map[pbft.NodeID]string{1: freeAddr(t), 2: freeAddr(t)}
	n1 := startNode(t, 1, addrs, nil, fastTuning)
	n2 := startNode(t, 2, addrs, nil, fastTuning)
	n2.Send(1, []byte("first"))
	expect(t, n1.fromPeers, received{2, "first"})
	n1.Close()
	waitFor(t, "n2 to notice n1 is gone", func() bool { return !n2.Stats().Peers[1].Connected })
	n2.Send(1, []byte("second"))
	n1 = startNode(t, 1, addrs, nil, fastTuning)
	expect(t, n1.fromPeers, received{2, "second"})
}

// A peer that accepts but never reads fills its queue; frames to it are dropped, and frames
// to everyone else still flow.
func TestStalledPeerDoesNotBlockOthers(t *testing.T) {
	lns, addrs := listenAll(t, 3)
	stalled := acceptAndHold(t, lns[2], 3)
	tuning := fastTuning
	tuning.QueueLen = 64
	n1 := startNode(t, 1, addrs, lns[0], tuning)
	n2 := startNode(t, 2, addrs, lns[1], tuning)
	waitFor(t, "n1 to connect to the stalled n3", func() bool { return n1.Stats().Peers[3].Connected })
	<-stalled

	big := make([]byte, 256<<10)
	for i := 0; i < 2000; i++ {
		n1.Send(3, big)
	}
	for i := 0; i < 50; i++ {
		if !n1.Send(2, msg("%d", i)) {
			t.Fatalf("Send to the healthy n2 refused at %d", i)
		}
	}
	for i := 0; i < 50; i++ {
		expect(t, n2.fromPeers, received{1, string(msg("%d", i))})
	}
	if s := n1.Stats().Peers[3]; s.Dropped < 1000 {
		t.Fatalf("stats for the stalled n3: %+v, want most frames dropped", s)
	}
}

// acceptAndHold accepts connections on ln as replica self, completes their handshake and then
// never reads them; the returned channel closes after the first one.
func acceptAndHold(t *testing.T, ln net.Listener, self pbft.NodeID) <-chan struct{} {
	first := make(chan struct{})
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if acceptReplicaRaw(c, self) != nil {
				c.Close()
				continue
			}
			if held = append(held, c); len(held) == 1 {
				close(first)
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	return first
}
