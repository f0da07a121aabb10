package node

import (
	"sync"
	"sync/atomic"
)

// pool runs jobs on a fixed set of worker goroutines. Urgent jobs (the replica's own outbound
// work: sealing, combining, replies) run before inbound verification, so that a flood of
// inbound frames does not delay the replica's votes. The queues themselves are unbounded:
// the loop must never block on submit; inbound work is bounded by a budget before it is
// submitted, and outbound work by the core's own flow control (watermarks, pipeline depth).
type pool struct {
	mu      sync.Mutex
	wake    *sync.Cond
	urgent  []func()
	normal  []func()
	stopped bool
	wg      sync.WaitGroup
}

func newPool(workers int) *pool {
	p := &pool{}
	p.wake = sync.NewCond(&p.mu)
	for range max(1, workers) {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

// submit queues a job; after stop it is discarded.
func (p *pool) submit(job func(), urgent bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	if urgent {
		p.urgent = append(p.urgent, job)
	} else {
		p.normal = append(p.normal, job)
	}
	p.wake.Signal()
}

// stop discards queued jobs and waits for the running ones.
func (p *pool) stop() {
	p.mu.Lock()
	p.stopped = true
	p.urgent, p.normal = nil, nil
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
	for !p.stopped && len(p.urgent) == 0 && len(p.normal) == 0 {
		p.wake.Wait()
	}
	switch {
	case p.stopped:
		return nil
	case len(p.urgent) > 0:
		job := p.urgent[0]
		p.urgent[0] = nil
		p.urgent = p.urgent[1:]
		return job
	default:
		job := p.normal[0]
		p.normal[0] = nil
		p.normal = p.normal[1:]
		return job
	}
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
