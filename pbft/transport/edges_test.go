package transport

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

// Tests of the edges (issue 15): each attack below worked against the transport before
// connections were authenticated and bounded.

// forgeReplicaHello connects to addr claiming to be replica from, answers the challenge
// with a signature it cannot make, and waits until the replica closes the connection.
func forgeReplicaHello(t *testing.T, addr string, from, to pbft.NodeID) {
	t.Helper()
	h := hello{role: roleReplica, from: from, to: to, nonce: freshNonce()}
	c := dialRaw(t, addr, h.encode())
	var challenge [nonceSize + crypto.SignatureSize]byte
	c.SetReadDeadline(time.Now().Add(waitTimeout))
	if _, err := io.ReadFull(c, challenge[:]); err != nil {
		t.Fatalf("no challenge: %v", err)
	}
	c.Write(make([]byte, crypto.SignatureSize))
	expectClosed(t, c)
}

// A forged replica hello, repeated, never displaces the authenticated link it names.
func TestForgedReplicaHelloDoesNotDisplaceLink(t *testing.T) {
	nodes, addrs := startCluster(t, 2, fastTuning)
	nodes[0].Send(2, []byte("before"))
	expect(t, nodes[1].fromPeers, received{1, "before"})
	const forged = 30
	for range forged {
		forgeReplicaHello(t, addrs[2], 1, 2)
	}
	waitFor(t, "the forged proofs counted", func() bool { return nodes[1].Stats().Refused.BadProof == forged })
	nodes[0].Send(2, []byte("after"))
	expect(t, nodes[1].fromPeers, received{1, "after"})
	for i, n := range nodes {
		for id, s := range n.Stats().Peers {
			if s.Reconnects != 0 || !s.Connected {
				t.Fatalf("n%d's link to %v: %+v, want the first connection still up", i+1, id, s)
			}
		}
	}
}

// A genuine replica that reconnects in a loop replaces its link at most once per
// ReplaceInterval.
func TestReplicaReplacementIsRateLimited(t *testing.T) {
	nodes, addrs := startCluster(t, 2, fastTuning, func(c *Config) { c.Limits.ReplaceInterval = time.Hour })
	nodes[0].Send(2, []byte("up"))
	expect(t, nodes[1].fromPeers, received{1, "up"})
	keys := testKeys(1)
	b := &base{}
	b.init(fastTuning.options(testLogger()))
	defer b.shutdown()
	for range 5 {
		c, err := b.dial(addrs[2], hello{role: roleReplica, from: 1, to: 2}, replicaProver(keys, 1, 2))
		if err != nil {
			t.Fatal(err)
		}
		expectClosed(t, c)
	}
	waitFor(t, "the replacements refused", func() bool { return nodes[1].Stats().Refused.Replace == 5 })
	if s := nodes[1].Stats().Peers[1]; s.Reconnects != 0 {
		t.Fatalf("n2's link to n1: %+v", s)
	}
}

// A client hello for A whose dialer cannot prove A's key never takes A's replies.
func TestUnprovenClientCannotRedirectReplies(t *testing.T) {
	nodes, addrs := startCluster(t, 1, fastTuning)
	echo(t, nodes[0])
	cc, replies := newClient(t, "A", addrs)
	sendUntilReply(t, cc, replies, 1, "mine")
	for range 20 {
		h := hello{role: roleClient, client: "A", nonce: freshNonce()}
		c := dialRaw(t, addrs[1], h.encode())
		var challenge [nonceSize]byte
		c.SetReadDeadline(time.Now().Add(waitTimeout))
		io.ReadFull(c, challenge[:])
		c.Write(make([]byte, crypto.SignatureSize))
		expectClosed(t, c)
	}
	nodes[0].SendClient("A", []byte("still yours"))
	expect(t, replies, received{1, "still yours"})
	if s := nodes[0].Stats(); s.Refused.BadProof != 20 || s.Clients != 1 || s.ClientConns != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// 100,000 made-up client ids attached over one multiplexed connection occupy nothing, and
// a real client is still served.
func TestMadeUpClientIDsDoNotBlockRealClient(t *testing.T) {
	nodes, addrs := startCluster(t, 1, fastTuning)
	echo(t, nodes[0])
	c, _ := dialMuxRaw(t, addrs[1], "D") // a keyed client of its own
	const madeUp = 100000
	w := bufio.NewWriter(c)
	for i := range madeUp {
		id := pbft.ClientID(fmt.Sprintf("fake-%d", i))
		frame := encodeMux(muxAttach, id, make([]byte, attachTagSize+crypto.SignatureSize))
		writeFrame(w, frame)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the made-up ids refused", func() bool { return nodes[0].Stats().Refused.Unknown == madeUp })
	cc, replies := newClient(t, "A", addrs)
	sendUntilReply(t, cc, replies, 1, "served")
	if s := nodes[0].Stats(); s.Clients != 2 {
		t.Fatalf("%d clients routed, want D and A", s.Clients)
	}
}

// One connection proves at most MaxClientsPerConn clients; one source at most
// MaxClientsPerSource.
func TestClientIDBounds(t *testing.T) {
	perConn := func(c *Config) { c.Limits.MaxClientsPerConn = 2; c.Limits.MaxClientsPerSource = 3 }
	nodes, addrs := startCluster(t, 1, fastTuning, perConn)
	dialMuxRaw(t, addrs[1], "A", "B", "C")
	waitFor(t, "C refused on a full connection", func() bool {
		s := nodes[0].Stats()
		return s.Clients == 2 && s.Refused.ClientIDs == 1
	})
	dialMuxRaw(t, addrs[1], "C", "D")
	waitFor(t, "D refused for its source", func() bool {
		s := nodes[0].Stats()
		return s.Clients == 3 && s.Refused.ClientIDs == 2
	})
}

// An attach for a client with a valid key but a bad signature closes the connection.
func TestBadAttachProofClosesMux(t *testing.T) {
	nodes, addrs := startCluster(t, 1, fastTuning)
	c, n := dialMuxRaw(t, addrs[1], "A")
	proof := attachProof(clientKey("A"), 1, "B", n) // A's key for B
	writeRawFrame(t, c, encodeMux(muxAttach, "B", proof))
	expectClosed(t, c)
	if s := nodes[0].Stats(); s.Refused.BadProof != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// A frame's announced size is not allocated before its bytes arrive.
func TestAnnouncedFrameAllocatesWhatArrived(t *testing.T) {
	const announced, sent = 64 << 20, 100 << 10
	data := append(header(announced), make([]byte, sent)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := readFrame(bufio.NewReader(bytes.NewReader(data)), DefaultMaxFrame)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("a cut frame was read")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4*sent+2*readChunk {
		t.Fatalf("reading %d bytes of a frame announcing %d allocated %d bytes", sent, announced, got)
	}
}

// A frame body trickled one byte at a time is cut by FrameTimeout.
func TestTrickledBodyIsCut(t *testing.T) {
	short := func(c *Config) { c.Limits.FrameTimeout = 100 * time.Millisecond }
	nodes, addrs := startCluster(t, 1, fastTuning, short)
	c := dialClientRaw(t, addrs[1], "A")
	c.Write(header(1000))
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				if _, err := c.Write([]byte{'x'}); err != nil {
					return
				}
			case <-stop:
				return
			}
		}
	}()
	expectClosed(t, c)
	waitFor(t, "the timeout counted", func() bool { return nodes[0].Stats().Refused.Timeouts == 1 })
}

// An authenticated client connection that stays idle is closed after IdleTimeout; a
// connection that never completes its handshake after HelloTimeout.
func TestIdleConnectionsAreClosed(t *testing.T) {
	short := func(c *Config) {
		c.Limits.IdleTimeout = 100 * time.Millisecond
		c.Limits.FrameTimeout = 40 * time.Millisecond
	}
	nodes, addrs := startCluster(t, 1, Tuning{HelloTimeout: 100 * time.Millisecond}, short)
	expectClosed(t, dialClientRaw(t, addrs[1], "A"))
	expectClosed(t, dialRaw(t, addrs[1], hello{role: roleClient, client: "B"}.encode()))
	waitFor(t, "both counted", func() bool {
		s := nodes[0].Stats()
		return s.Refused.Timeouts == 1 && s.Refused.Handshake == 1 && s.ClientConns == 0
	})
}

// Connections in their handshake are capped per source (a newcomer sheds the oldest), and
// client connections are capped per source.
func TestConnectionCaps(t *testing.T) {
	caps := func(c *Config) { c.Limits.MaxPendingPerSource = 3; c.Limits.MaxClientConnsPerSource = 2 }
	nodes, addrs := startCluster(t, 1, fastTuning, caps)
	var silent []net.Conn
	for range 4 {
		silent = append(silent, dialRaw(t, addrs[1]))
		waitFor(t, "the connection pending", func() bool { return pendingCount(nodes[0]) == min(len(silent), 3) })
	}
	expectClosed(t, silent[0])
	waitFor(t, "the oldest shed", func() bool { return nodes[0].Stats().Refused.Pending == 1 })
	for _, c := range silent {
		c.Close()
	}
	waitFor(t, "the places given back", func() bool { return pendingCount(nodes[0]) == 0 })
	dialClientRaw(t, addrs[1], "A")
	dialClientRaw(t, addrs[1], "B")
	expectClosed(t, dialClientRaw(t, addrs[1], "C"))
	waitFor(t, "the third client connection refused", func() bool {
		s := nodes[0].Stats()
		return s.Refused.ClientConns == 1 && s.ClientConns == 2
	})
}

func pendingCount(n *node) int { return n.pending.len() }
