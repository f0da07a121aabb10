package transport

import (
	"net"
	"sync"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// newMux attaches clients to a fresh ClientMux; every client's replies go to its own channel.
func newMux(t *testing.T, addrs map[pbft.NodeID]string, clients ...pbft.ClientID) (*ClientMux, map[pbft.ClientID]chan received) {
	t.Helper()
	m, err := NewClientMux(ClientConfig{ID: "bench", Addrs: addrs, Tuning: fastTuning, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	replies := make(map[pbft.ClientID]chan received)
	for _, c := range clients {
		ch := make(chan received, 100)
		replies[c] = ch
		if err := m.Attach(c, clientKey(c), func(from pbft.NodeID, frame []byte) { ch <- received{from, string(frame)} }); err != nil {
			t.Fatal(err)
		}
	}
	return m, replies
}

func TestMuxRoutesRequestsAndReplies(t *testing.T) {
	nodes, addrs := startCluster(t, 2, fastTuning)
	for _, n := range nodes {
		echo(t, n)
	}
	m, replies := newMux(t, addrs, "A", "B", "C")
	if !m.Send(1, "A", []byte("a1")) || !m.Send(2, "B", []byte("b1")) {
		t.Fatal("Send refused")
	}
	expect(t, replies["A"], received{1, "re:a1"})
	expect(t, replies["B"], received{2, "re:b1"})
	// C never sent anything, but attaching it told every replica where its replies go.
	waitFor(t, "C routed at both replicas", func() bool {
		return nodes[0].Stats().Clients == 3 && nodes[1].Stats().Clients == 3
	})
	nodes[1].SendClient("C", []byte("unsolicited"))
	expect(t, replies["C"], received{2, "unsolicited"})
	if err := m.Attach("A", clientKey("A"), func(pbft.NodeID, []byte) {}); err == nil {
		t.Fatal("a client attached twice")
	}
}

func TestMuxReattachesAfterReconnect(t *testing.T) {
	addr := freeAddr(t)
	addrs := map[pbft.NodeID]string{1: addr}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	first := startNode(t, 1, addrs, ln, fastTuning)
	stop := echo(t, first)
	m, replies := newMux(t, addrs, "A", "B")
	m.Send(1, "A", []byte("x"))
	expect(t, replies["A"], received{1, "re:x"})
	stop()
	second := startNode(t, 1, addrs, nil, fastTuning)
	echo(t, second)
	waitFor(t, "the mux reconnects", func() bool {
		m.Send(1, "A", []byte("ping"))
		return second.Stats().Clients == 2
	})
	second.SendClient("B", []byte("hello B"))
	expect(t, replies["B"], received{1, "hello B"})
}

func TestMuxBadFrameClosesOnlyThatConnection(t *testing.T) {
	nodes, addrs := startCluster(t, 1, fastTuning)
	echo(t, nodes[0])
	c, _ := dialMuxRaw(t, addrs[1], "D")
	frame := []byte{0, 0, 0, 3, 9, 0, 0} // kind 9 does not exist
	if _, err := c.Write(frame); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the protocol error", func() bool { return nodes[0].Stats().ProtocolErrors == 1 })
	m, replies := newMux(t, addrs, "A")
	m.Send(1, "A", []byte("still served"))
	expect(t, replies["A"], received{1, "re:still served"})
}

func TestDecodeMuxRefusesMalformedFrames(t *testing.T) {
	for _, f := range [][]byte{nil, {0}, {0, 0, 0}, {0, 0, 5, 'a'}, {2, 0, 1, 'a'}, {0, 1, 1, 'a'}} {
		if _, _, _, err := decodeMux(f); err == nil {
			t.Errorf("decodeMux(%v) accepted", f)
		}
	}
	kind, id, payload, err := decodeMux(encodeMux(muxData, "client-7", []byte("body")))
	if err != nil || kind != muxData || id != "client-7" || string(payload) != "body" {
		t.Fatalf("round trip: %d %q %q %v", kind, id, payload, err)
	}
}

// TestClientIdleEndsEveryBurst checks the end-of-burst callback: after the frames of a burst
// are delivered it runs before the reader waits again, and also when the connection ends
// with part of a frame unread.
func TestClientIdleEndsEveryBurst(t *testing.T) {
	lns, addrs := listenAll(t, 1)
	var mu sync.Mutex
	var events []string
	note := func(e string) { mu.Lock(); events = append(events, e); mu.Unlock() }
	tr, err := New(Config{Self: 1, Addrs: addrs, Listener: lns[0], Logger: testLogger(), Keys: testKeys(1),
		ClientIdle: func() { note("idle") }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	tr.Start(func(pbft.NodeID, []byte) {}, func(_ pbft.ClientID, frame []byte) { note(string(frame)) })
	c := dialClientRaw(t, addrs[1], "A")
	var burst []byte
	for _, f := range []string{"r1", "r2", "r3"} {
		burst = append(burst, 0, 0, 0, byte(len(f)))
		burst = append(burst, f...)
	}
	if _, err := c.Write(burst); err != nil {
		t.Fatal(err)
	}
	last := func() (int, string) {
		mu.Lock()
		defer mu.Unlock()
		if len(events) == 0 {
			return 0, ""
		}
		return len(events), events[len(events)-1]
	}
	frames := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, e := range events {
			if e != "idle" {
				n++
			}
		}
		return n
	}
	waitFor(t, "the burst and its idle", func() bool { _, e := last(); return frames() == 3 && e == "idle" })
	if _, err := c.Write([]byte{0, 0, 0, 9, 'x'}); err != nil { // a frame cut short
		t.Fatal(err)
	}
	before, _ := last()
	c.Close()
	waitFor(t, "an idle when the connection ends", func() bool { n, e := last(); return n > before && e == "idle" })
}
