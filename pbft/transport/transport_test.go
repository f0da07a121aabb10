package transport

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

func TestAllDirections(t *testing.T) {
	const perPair = 500
	nodes, _ := startCluster(t, 3, fastTuning)
	for i := 0; i < perPair; i++ {
		for _, src := range nodes {
			for _, dst := range nodes {
				if src != dst && !src.Send(dst.self, msg("%v->%v #%d", src.self, dst.self, i)) {
					t.Fatalf("Send %v->%v #%d refused", src.self, dst.self, i)
				}
			}
		}
	}
	for _, dst := range nodes {
		next := map[pbft.NodeID]int{}
		for k := 0; k < 2*perPair; k++ {
			select {
			case got := <-dst.fromPeers:
				want := string(msg("%v->%v #%d", got.from, dst.self, next[got.from]))
				if got.frame != want {
					t.Fatalf("%v received %q from %v, want %q (in order)", dst.self, got.frame, got.from, want)
				}
				next[got.from]++
			case <-waitDeadline():
				t.Fatalf("%v received only %v", dst.self, next)
			}
		}
	}
	// A frame counts as sent once written, which may be after its receiver read it.
	waitFor(t, "every frame to be counted as sent", func() bool {
		for _, n := range nodes {
			for _, s := range n.Stats().Peers {
				if s.Sent != perPair {
					return false
				}
			}
		}
		return true
	})
	for _, n := range nodes {
		for id, s := range n.Stats().Peers {
			if s.Dropped != 0 {
				t.Errorf("%v stats for %v: %+v", n.self, id, s)
			}
		}
	}
}

func TestSendRefusals(t *testing.T) {
	nodes, _ := startCluster(t, 2, Tuning{MaxFrame: 16})
	n := nodes[0]
	if n.Send(n.self, []byte("x")) {
		t.Error("Send to self accepted")
	}
	if n.Send(9, []byte("x")) {
		t.Error("Send to an unknown replica accepted")
	}
	if n.Send(2, make([]byte, 17)) {
		t.Error("Send of a frame above MaxFrame accepted")
	}
	if got := n.Stats().Peers[2].Dropped; got != 1 {
		t.Errorf("dropped = %d, want 1", got)
	}
	if n.SendClient("nobody", []byte("x")) {
		t.Error("SendClient to a client without a connection accepted")
	}
	if got := n.Broadcast([]byte("ok")); got != 1 {
		t.Errorf("Broadcast reached %d queues, want 1", got)
	}
	expect(t, nodes[1].fromPeers, received{1, "ok"})
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(Config{Self: 1, Addrs: map[pbft.NodeID]string{2: "127.0.0.1:1"}}); err == nil {
		t.Error("New without an address for self succeeded")
	}
	if _, err := New(Config{Self: 0, Addrs: map[pbft.NodeID]string{0: "127.0.0.1:0"}}); err == nil {
		t.Error("New with self 0 succeeded")
	}
	if _, err := New(Config{Self: 1, Addrs: map[pbft.NodeID]string{1: "not an address"}}); err == nil {
		t.Error("New with a bad listen address succeeded")
	}
}

func TestOutboxBoundsBytes(t *testing.T) {
	o := newOutbox(100, 10)
	big := make([]byte, 25)
	if !o.offer(big) {
		t.Fatal("a frame above the byte bound was refused by an empty queue")
	}
	if o.offer([]byte("x")) {
		t.Fatal("a queue over its byte bound took another frame")
	}
	o.took(<-o.frames)
	for i := range 2 {
		if !o.offer([]byte("12345")) {
			t.Fatalf("frame %d of 5 bytes refused under a 10-byte bound", i)
		}
	}
	if o.offer([]byte("1")) || o.dropped.Load() != 2 || o.bytes.Load() != 10 {
		t.Fatalf("bytes %d dropped %d, want 10 queued bytes and 2 drops", o.bytes.Load(), o.dropped.Load())
	}
}

// A large frame does not wait for an empty queue: it goes while fewer bytes than the bound
// wait (a NEW-VIEW carrying many batches, on a busy link to a live peer).
func TestOutboxTakesLargeFrameBelowBound(t *testing.T) {
	o := newOutbox(100, 10)
	if !o.offer([]byte("123")) {
		t.Fatal("small frame refused")
	}
	if !o.offer(make([]byte, 25)) {
		t.Fatal("a large frame was refused while 3 of 10 bytes waited")
	}
	if o.offer([]byte("x")) || o.bytes.Load() != 28 {
		t.Fatalf("queue holding %d bytes took another frame or lost count", o.bytes.Load())
	}
}
