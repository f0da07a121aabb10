package node

import (
	"sync"
	"sync/atomic"
)

// pool runs jobs on a fixed set of worker goroutines. Urgent jobs (the replica's own outbound
// work: sealing, combining, replies) run before inbound verification, so that a flood of
// inbound frames does not delay the replica's votes. Inbound jobs wait in lanes, one per
// source (each replica's link, and one for client requests), taken in turn: a replica that
// floods its link with frames that are costly to check gets its turn like every other source
// and cannot delay the others' votes and certificates behind its queue (it did with one FIFO
// queue: TestPoolTakesLanesInTurn). The queues themselves are unbounded: the loop must
// never block on submit; inbound work is bounded by a budget before it is submitted, and
// outbound work by the core's own flow control (watermarks, pipeline depth).
type pool struct {
	mu      sync.Mutex
	wake    *sync.Cond
	urgent  []func()
	lanes   [][]func() // inbound jobs by source; lane 0 for clients and any other
	ready   []int      // the non-empty lanes, each once, in turn order
	stopped bool
	wg      sync.WaitGroup
}

// clientLane is the lane of client request verification.
const clientLane = 0

// newPool starts workers goroutines with one inbound lane per source 0..sources.
func newPool(workers, sources int) *pool {
	p := &pool{lanes: make([][]func(), sources+1)}
	p.wake = sync.NewCond(&p.mu)
	for range max(1, workers) {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

// submit queues an urgent job; after stop it is discarded.
func (p *pool) submit(job func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	p.urgent = append(p.urgent, job)
	p.wake.Signal()
}

// submitIn queues an inbound job in the lane of its source (lane 0 for a source outside the
// pool's range); after stop it is discarded.
func (p *pool) submitIn(lane int, job func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	if lane < 0 || lane >= len(p.lanes) {
		lane = clientLane
	}
	p.lanes[lane] = append(p.lanes[lane], job)
	if len(p.lanes[lane]) == 1 {
		p.ready = append(p.ready, lane)
	}
	p.wake.Signal()
}

// stop discards queued jobs and waits for the running ones.
func (p *pool) stop() {
	p.mu.Lock()
	p.stopped = true
	p.urgent, p.ready = nil, nil
	clear(p.lanes)
	p.wake.Broadcast()
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *pool) work() {
	defer p.wg.Done()
	for {
		job := p.next()
		if job == nil {
			return
		}
		job()
	}
}

// next blocks for the next job; nil once the pool stopped.
func (p *pool) next() func() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.stopped && len(p.urgent) == 0 && len(p.ready) == 0 {
		p.wake.Wait()
	}
	switch {
	case p.stopped:
		return nil
	case len(p.urgent) > 0:
		return pop(&p.urgent)
	default:
		lane := p.ready[0]
		p.ready = p.ready[1:]
		job := pop(&p.lanes[lane])
		if len(p.lanes[lane]) > 0 {
			p.ready = append(p.ready, lane) // its next job waits for the other lanes' turns
		}
		return job
	}
}

// pop removes and returns the first job of a non-empty queue.
func pop(q *[]func()) func() {
	job := (*q)[0]
	(*q)[0] = nil
	*q = (*q)[1:]
	return job
}

// budget bounds the inbound frames in flight: taken when a frame arrives, given back when the
// loop has handled it (or verification rejected it).
type budget struct {
	used  atomic.Int64
	limit int64
}

// take reserves one unit; false when the budget is exhausted.
func (b *budget) take() bool { return b.takeN(1) }

// takeN reserves n units; false (nothing reserved) when they do not fit.
func (b *budget) takeN(n int64) bool {
	if b.used.Add(n) > b.limit {
		b.used.Add(-n)
		return false
	}
	return true
}

func (b *budget) give() { b.used.Add(-1) }

// giveN releases n units.
func (b *budget) giveN(n int64) { b.used.Add(-n) }
