package node

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// One replica flooding its link filled the inbound budget that all replicas shared: while its
// frames waited for verification, every other replica's frame was dropped (votes and
// certificates included, until re-sent). Each peer has its own share of frames and bytes now.
func TestFloodingPeerDoesNotCrowdOutOthers(t *testing.T) {
	nd := inboundNode(t)
	hold := make(chan struct{})
	nd.pool.submit(func() { <-hold }) // the worker is busy: frames stay in flight
	defer close(hold)
	for range peerBudget + 100 {
		nd.onPeer(3, []byte("frame"))
	}
	flooded := nd.rejects.overload.Load()
	if flooded == 0 {
		t.Fatal("the flood was not bounded")
	}
	for id := pbft.NodeID(2); id <= 7; id++ {
		if id != 3 {
			nd.onPeer(id, []byte("frame"))
		}
	}
	if got := nd.rejects.overload.Load(); got != flooded {
		t.Fatalf("%d frames of the other replicas dropped while n3 flooded", got-flooded)
	}
	// Bytes too: frames of the largest size fit a few at a time.
	big := make([]byte, 32<<20)
	for range 16 {
		nd.onPeer(5, big)
	}
	if nd.rejects.overload.Load() == flooded {
		t.Fatal("n5 had 512 MiB of frames in flight")
	}
}
