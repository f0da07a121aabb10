package node

import (
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
)

// batcherNode is the inbound path's node (inboundNode) with a client budget and one
// verification job at a time: what the request batcher uses.
func batcherNode(t *testing.T) *node {
	t.Helper()
	nd := inboundNode(t)
	nd.clients = budget{limit: 64}
	nd.reqs.workers = 1
	return nd
}

// queueSigned queues a request signed by client A, as onClient does after decoding it.
func queueSigned(t *testing.T, nd *node, ts uint64, readOnly bool) {
	t.Helper()
	k := testKeys(t)
	req := &pbft.Request{Client: "A", Timestamp: ts, ReadOnly: readOnly, Op: []byte{1}}
	auth.SignRequest(k.Clients["A"], req)
	if !nd.clients.take() {
		t.Fatal("client budget spent")
	}
	nd.verifyLater(queuedRequest{client: "A", req: req, at: time.Now()})
	nd.verifyQueuedSoon() // the end of the burst
}

// delivered waits until the mailbox holds n verified requests, or the deadline passes.
func delivered(nd *node, n int, deadline time.Duration) int {
	var got []input
	timeout := time.After(deadline)
	for len(got) < n {
		select {
		case <-nd.mail.ready:
			got = append(got, nd.mail.take()...)
		case <-timeout:
			return len(got)
		}
	}
	return len(got)
}

// TestBusyLeaderHoldsRequests: while the core awaits many requests, a burst of one is held
// (not verified within a quarter of holdDelay), then released by the hold timer; once the core
// awaits no more than what is queued, held requests are verified at once.
func TestBusyLeaderHoldsRequests(t *testing.T) {
	nd := batcherNode(t)
	nd.setAwaited(100)
	queueSigned(t, nd, 1, false)
	if got := delivered(nd, 1, holdDelay/4); got != 0 {
		t.Fatalf("a held request was verified after less than %v", holdDelay/4)
	}
	if got := delivered(nd, 1, 5*time.Second); got != 1 {
		t.Fatal("the hold timer did not release the request")
	}

	queueSigned(t, nd, 2, false)
	nd.setAwaited(1) // the core would now propose with one more request
	if got := delivered(nd, 1, 5*time.Second); got != 1 {
		t.Fatal("a held request was not released when the core awaited it")
	}
}

// TestReadsAreNotHeld: a read-only request is answered without ordering, so it is verified at
// once even while the core awaits many requests: no hold timer is armed for it.
func TestReadsAreNotHeld(t *testing.T) {
	nd := batcherNode(t)
	nd.setAwaited(100)
	queueSigned(t, nd, 1, true)
	nd.reqs.mu.Lock()
	held := nd.reqs.held
	nd.reqs.mu.Unlock()
	if held {
		t.Fatal("a read-only request was held")
	}
	if got := delivered(nd, 1, 5*time.Second); got != 1 {
		t.Fatal("the read was not verified")
	}
}
