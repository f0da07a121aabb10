package transport

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// echo makes a replica answer every client frame with "re:" and the frame; stop closes the
// replica and ends the echo.
func echo(t *testing.T, n *node) (stop func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for r := range n.fromClients {
			id, frame, _ := strings.Cut(r.frame, ":")
			n.SendClient(pbft.ClientID(id), []byte("re:"+frame))
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { n.Close(); close(n.fromClients); <-done }) }
	t.Cleanup(stop)
	return stop
}

func newClient(t *testing.T, id pbft.ClientID, addrs map[pbft.NodeID]string) (*ClientConn, chan received) {
	t.Helper()
	replies := make(chan received, 100)
	cc, err := NewClient(ClientConfig{ID: id, Key: clientKey(id), Addrs: addrs, Tuning: fastTuning, Logger: testLogger()},
		func(from pbft.NodeID, frame []byte) { replies <- received{from, string(frame)} })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc, replies
}

func TestClientRequestAndReply(t *testing.T) {
	nodes, addrs := startCluster(t, 2, fastTuning)
	for _, n := range nodes {
		echo(t, n)
	}
	cc, replies := newClient(t, "A", addrs)
	if got := cc.Broadcast([]byte("req")); got != 2 {
		t.Fatalf("Broadcast reached %d queues", got)
	}
	got := map[received]bool{}
	for range 2 {
		select {
		case r := <-replies:
			got[r] = true
		case <-waitDeadline():
			t.Fatalf("replies so far: %v", got)
		}
	}
	if !got[received{1, "re:req"}] || !got[received{2, "re:req"}] {
		t.Fatalf("replies %v", got)
	}
	waitFor(t, "the client to count its frame to n1", func() bool {
		s := cc.Stats()[1]
		return s.Connected && s.Sent == 1
	})

	// A second connection of the same client takes over its replies.
	cc2, replies2 := newClient(t, "A", addrs)
	cc2.Send(1, []byte("req2"))
	expect(t, replies2, received{1, "re:req2"})
	// The replica counts a frame as sent after writing it, which may be after the client read it.
	waitFor(t, "n1 to count both replies to one client", func() bool {
		st := nodes[0].Stats()
		return st.Clients == 1 && st.ClientSent == 2
	})
	// The first connection was closed by the replica when the second took over; a frame the
	// client sends before it notices is lost, so send until the reply comes (clients retry).
	sendUntilReply(t, cc, replies, 1, "req3")
}

// sendUntilReply sends frame to replica to, again every 100 ms, until the echo arrives.
func sendUntilReply(t *testing.T, cc *ClientConn, replies <-chan received, to pbft.NodeID, frame string) {
	t.Helper()
	deadline := waitDeadline()
	for {
		cc.Send(to, []byte(frame))
		select {
		case r := <-replies:
			if r != (received{to, "re:" + frame}) {
				t.Fatalf("reply %+v to %q", r, frame)
			}
			return
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no reply to %q", frame)
		}
	}
}

func TestClientReachesLateReplica(t *testing.T) {
	addrs := map[pbft.NodeID]string{1: freeAddr(t)}
	cc, replies := newClient(t, "B", addrs)
	cc.Send(1, []byte("early"))
	n := startNode(t, 1, addrs, nil, fastTuning)
	echo(t, n)
	expect(t, replies, received{1, "re:early"})
}

func TestNewClientRejectsBadConfig(t *testing.T) {
	noReply := func(pbft.NodeID, []byte) {}
	if _, err := DialClient("", clientKey("A"), map[pbft.NodeID]string{1: "x"}, noReply); err == nil {
		t.Error("empty client id accepted")
	}
	if _, err := DialClient("A", clientKey("A"), nil, noReply); err == nil {
		t.Error("client without replica addresses accepted")
	}
	if _, err := DialClient("A", nil, map[pbft.NodeID]string{1: "x"}, noReply); err == nil {
		t.Error("client without a key accepted")
	}
}

// Close ends every goroutine: of the replicas, their connections, and the clients.
func TestCloseReleasesEverything(t *testing.T) {
	baseline := runtime.NumGoroutine()
	nodes, addrs := startCluster(t, 3, fastTuning)
	var stops []func()
	for _, n := range nodes {
		stops = append(stops, echo(t, n))
		n.Broadcast([]byte("hi"))
	}
	for _, n := range nodes {
		for range 2 {
			select {
			case <-n.fromPeers:
			case <-waitDeadline():
				t.Fatalf("%v: broadcast not delivered", n.self)
			}
		}
	}
	cc, replies := newClient(t, "C", addrs)
	cc.Broadcast([]byte("x"))
	for range 3 {
		select {
		case <-replies:
		case <-waitDeadline():
			t.Fatal("client reply missing")
		}
	}
	cc.Close()
	for _, stop := range stops {
		stop()
	}
	waitFor(t, "goroutines to return to the baseline", func() bool { return runtime.NumGoroutine() <= baseline })
}
