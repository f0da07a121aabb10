package node

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// maxVerifyBatch bounds the client requests verified in one batch.
const maxVerifyBatch = 1024

// While the core awaits many requests before it proposes (pbft.Replica.Awaited: a leader
// with slots in flight, or letting a batch fill up), the node holds client requests until
// holdBatch of them wait, or as many as the core awaits, or for at most holdDelay, before it
// verifies them: they would not be proposed sooner, and a batch of 32 costs less than half as
// much per signature as checks one by one. When the core would propose at once (light load),
// a burst is verified at once.
const (
	holdBatch = 32
	holdDelay = 2 * time.Millisecond
)

// requestBatcher verifies client requests in batches (auth.Authenticator.VerifyRequests; a
// batch costs about half as much per signature as checks one by one). The requests of one
// burst on a connection (what one read of the socket returned; with clients multiplexed over
// one connection, many clients' requests) are verified together; requests that arrive while
// verification runs queue up and the next job takes all of them: batches grow with the load.
// A busy leader holds requests for a bigger batch (holdBatch, holdDelay). At most `workers`
// jobs run at a time.
type requestBatcher struct {
	mu      sync.Mutex
	queue   []queuedRequest
	running int
	workers int
	held    bool         // a hold timer is armed
	awaited atomic.Int64 // requests the core awaits before it proposes (set by the loop)
}

// queuedRequest is a decoded client request waiting for its signature check.
type queuedRequest struct {
	client pbft.ClientID
	req    *pbft.Request
	at     time.Time
}

// verifyLater queues a decoded client request. Verification starts at the end of the burst
// the request arrived in (verifyQueuedSoon), or at once when a full batch is waiting.
func (nd *node) verifyLater(q queuedRequest) {
	b := &nd.reqs
	b.mu.Lock()
	b.queue = append(b.queue, q)
	full := len(b.queue) >= maxVerifyBatch
	b.mu.Unlock()
	if full {
		nd.verifyQueuedNow()
	}
}

// verifyQueuedSoon starts a verification job if requests wait and fewer than the allowed
// number of jobs run, unless the core awaits more of them (holdBatch). The transport calls
// it at the end of every burst from a client connection (transport.Config.ClientIdle), so a
// burst is verified as one batch.
func (nd *node) verifyQueuedSoon() {
	b := &nd.reqs
	b.mu.Lock()
	if b.holding(b.awaited.Load()) {
		if !b.held {
			b.held = true
			time.AfterFunc(holdDelay, nd.verifyHeld)
		}
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	nd.verifyQueuedNow()
}

// holding reports whether the queued requests wait for more while the core awaits that many:
// fewer than holdBatch and than awaited, and no read among them (reads are answered without
// ordering, so holding one would only delay it). The caller holds mu.
func (b *requestBatcher) holding(awaited int64) bool {
	n := len(b.queue)
	if n == 0 || int64(n) >= min(holdBatch, awaited) {
		return false
	}
	for i := range b.queue {
		if b.queue[i].req.ReadOnly {
			return false
		}
	}
	return true
}

// verifyHeld ends a hold: the held requests are verified whatever their number.
func (nd *node) verifyHeld() {
	nd.reqs.mu.Lock()
	nd.reqs.held = false
	nd.reqs.mu.Unlock()
	nd.verifyQueuedNow()
}

// setAwaited records how many requests the core awaits (the loop calls it after every
// input), and verifies held requests at once when they are enough.
func (nd *node) setAwaited(n int) {
	b := &nd.reqs
	b.awaited.Store(int64(n))
	b.mu.Lock()
	release := len(b.queue) > 0 && !b.holding(int64(n))
	b.mu.Unlock()
	if release {
		nd.verifyQueuedNow()
	}
}

// verifyQueuedNow starts a verification job if requests wait and fewer than the allowed
// number of jobs run.
func (nd *node) verifyQueuedNow() {
	b := &nd.reqs
	b.mu.Lock()
	start := len(b.queue) > 0 && b.running < b.workers
	if start {
		b.running++
	}
	b.mu.Unlock()
	if start {
		nd.pool.submitIn(clientLane, nd.verifyQueued)
	}
}

// verifyQueued runs on the pool: it verifies the queued requests, batch after batch, until
// the queue is empty.
func (nd *node) verifyQueued() {
	b := &nd.reqs
	for {
		b.mu.Lock()
		n := min(len(b.queue), maxVerifyBatch)
		if n == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		batch := append([]queuedRequest(nil), b.queue[:n]...)
		b.queue = append(b.queue[:0], b.queue[n:]...)
		b.mu.Unlock()
		nd.verifyRequests(batch)
	}
}

// verifyRequests checks a batch and hands the good requests to the loop.
func (nd *node) verifyRequests(batch []queuedRequest) {
	reqs := make([]*pbft.Request, len(batch))
	for i := range batch {
		reqs[i] = batch[i].req
	}
	errs := nd.auth.VerifyRequests(reqs)
	good := make([]input, 0, len(batch))
	for i, err := range errs {
		if err != nil {
			nd.clients.give()
			nd.shares.give(batch[i].client)
			nd.rejects.add(nd, "client "+string(batch[i].client), err)
			continue
		}
		good = append(good, input{Req: batch[i].req, At: batch[i].at, budget: &nd.clients, client: batch[i].client})
	}
	nd.mail.putAll(good)
}
