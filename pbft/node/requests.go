package node

import (
	"sync"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// maxVerifyBatch bounds the client requests verified in one batch.
const maxVerifyBatch = 1024

// requestBatcher verifies client requests in batches (auth.Authenticator.VerifyRequests; a
// batch costs about half as much per signature as checks one by one). The requests of one
// burst on a connection (what one read of the socket returned; with clients multiplexed over
// one connection, many clients' requests) are verified together; requests that arrive while
// verification runs queue up and the next job takes all of them: batches grow with the load
// and add no delay without it. At most `workers` jobs run at a time.
//
// (Holding requests at a busy leader until its slot commits, to verify bigger batches, made
// the next batch smaller: the core proposes the moment the slot commits, before held
// requests are verified.)
type requestBatcher struct {
	mu      sync.Mutex
	queue   []queuedRequest
	running int
	workers int
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
		nd.verifyQueuedSoon()
	}
}

// verifyQueuedSoon starts a verification job if requests wait and fewer than the allowed
// number of jobs run. The transport calls it at the end of every burst from a client
// connection (transport.Config.ClientIdle), so a burst is verified as one batch.
func (nd *node) verifyQueuedSoon() {
	b := &nd.reqs
	b.mu.Lock()
	start := len(b.queue) > 0 && b.running < b.workers
	if start {
		b.running++
	}
	b.mu.Unlock()
	if start {
		nd.pool.submit(nd.verifyQueued, false)
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
			nd.rejects.add(nd, "client "+string(batch[i].client), err)
			continue
		}
		good = append(good, input{Req: batch[i].req, At: batch[i].at, budget: &nd.clients})
	}
	nd.mail.putAll(good)
}
