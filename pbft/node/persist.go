package node

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/storage"
)

// persister is the group commit of a durable replica (docs/protocol.md, "Durability"). The
// protocol loop hands it each Ready's records with a sequencer ticket issued before the
// Ready's messages and replies; a writer goroutine writes whatever is pending as one synced
// Append and only then finishes the tickets, so the sequencer releases those messages and
// replies (in order) once what they depend on is durable. The loop never waits for the disk.
// Checkpoint snapshots are saved by a second goroutine at most every snapshotEvery, since the
// executed slots since the last saved snapshot are durable and replayed on restart; a snapshot
// installed through catch-up (Required) is saved by the writer before the records.
type persister struct {
	store storage.Store
	seq   *sequencer
	log   zerolog.Logger
	fail  func(error) // stops the replica: one that cannot persist must not send

	mu      sync.Mutex
	wake    *sync.Cond
	pending []persistJob
	stopped bool
	latest  *pbft.DurableCheckpoint // offered to the snapshot goroutine
	snapCh  chan struct{}
	done    chan struct{}

	saveMu sync.Mutex
	saved  pbft.Seq // the last saved checkpoint

	fsyncs  atomic.Uint64
	records atomic.Uint64
	synced  prometheus.Observer // seconds per synced Append (nil: not observed)
	wg      sync.WaitGroup
}

// persistJob is one Ready's records, the checkpoint that must precede them (if any) and the
// ticket that holds its messages.
type persistJob struct {
	recs   []pbft.Record
	ckpt   *pbft.DurableCheckpoint
	ticket uint64
}

// snapshotEvery is the least time between two checkpoint snapshots saved: encoding a million
// accounts takes tens of milliseconds and writes 16 MiB.
const snapshotEvery = time.Second

func newPersister(store storage.Store, seq *sequencer, saved pbft.Seq, log zerolog.Logger, synced prometheus.Observer, fail func(error)) *persister {
	p := &persister{store: store, seq: seq, log: log, fail: fail, saved: saved, synced: synced, snapCh: make(chan struct{}, 1), done: make(chan struct{})}
	p.wake = sync.NewCond(&p.mu)
	p.wg.Add(2)
	go p.write()
	go p.snapshots()
	return p
}

// submit is called by the loop with the Ready before its messages are dispatched: it issues
// the ticket that holds them until the records are durable.
func (p *persister) submit(rd *pbft.Ready) {
	if c := rd.Checkpoint; c != nil && !c.Required {
		p.offer(c)
	}
	var req *pbft.DurableCheckpoint
	if c := rd.Checkpoint; c != nil && c.Required {
		req = c
	}
	if len(rd.Persist) == 0 && req == nil {
		return
	}
	job := persistJob{recs: rd.Persist, ckpt: req, ticket: p.seq.issue()}
	p.mu.Lock()
	p.pending = append(p.pending, job)
	p.wake.Signal()
	p.mu.Unlock()
}

func (p *persister) write() {
	defer p.wg.Done()
	for {
		jobs := p.next()
		if jobs == nil {
			return
		}
		var recs []pbft.Record
		for _, j := range jobs {
			if j.ckpt != nil {
				if err := p.save(j.ckpt); err != nil {
					p.fail(err)
					return
				}
			}
			recs = append(recs, j.recs...)
		}
		began := time.Now()
		if err := p.store.Append(recs); err != nil {
			p.fail(err)
			return
		}
		if p.synced != nil {
			p.synced.Observe(time.Since(began).Seconds())
		}
		p.fsyncs.Add(1)
		p.records.Add(uint64(len(recs)))
		for _, j := range jobs {
			p.seq.finish(j.ticket, nil)
		}
	}
}

// next blocks for pending jobs and takes all of them; nil once stopped.
func (p *persister) next() []persistJob {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.stopped && len(p.pending) == 0 {
		p.wake.Wait()
	}
	if p.stopped {
		return nil
	}
	jobs := p.pending
	p.pending = nil
	return jobs
}

// offer hands the snapshot goroutine the latest stable checkpoint.
func (p *persister) offer(c *pbft.DurableCheckpoint) {
	p.mu.Lock()
	p.latest = c
	p.mu.Unlock()
	select {
	case p.snapCh <- struct{}{}:
	default:
	}
}

func (p *persister) snapshots() {
	defer p.wg.Done()
	for {
		select {
		case <-p.done:
			return
		case <-p.snapCh:
		}
		p.mu.Lock()
		c := p.latest
		p.latest = nil
		p.mu.Unlock()
		if c == nil {
			continue
		}
		if err := p.save(c); err != nil {
			p.log.Warn().Err(err).Msgf("cannot save the checkpoint at s=%d", c.Cert.Seq)
			continue
		}
		select { // throttle: what is offered meanwhile waits (the latest only)
		case <-p.done:
			return
		case <-time.After(snapshotEvery):
		}
	}
}

// save writes a checkpoint snapshot unless a later one is saved already.
func (p *persister) save(c *pbft.DurableCheckpoint) error {
	p.saveMu.Lock()
	defer p.saveMu.Unlock()
	if c.Cert.Seq <= p.saved {
		return nil
	}
	if err := p.store.SaveCheckpoint(pbft.Snapshot{Cert: c.Cert, State: c.Snapshot()}); err != nil {
		return err
	}
	p.saved = c.Cert.Seq
	p.fsyncs.Add(1)
	return nil
}

// stop ends both goroutines (pending writes are dropped: their messages never leave) and
// closes the store.
func (p *persister) stop() {
	p.mu.Lock()
	p.stopped = true
	p.wake.Broadcast()
	p.mu.Unlock()
	close(p.done)
	p.wg.Wait()
	if err := p.store.Close(); err != nil {
		p.log.Warn().Err(err).Msg("closing the data directory")
	}
}

// depth is the number of Readies whose records wait for the writer.
func (p *persister) depth() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}

// persistDepth is the persister's queue (0: ephemeral).
func (nd *node) persistDepth() int {
	if nd.persist == nil {
		return 0
	}
	return nd.persist.depth()
}

// fsyncs is the number of synced writes to the data directory so far.
func (nd *node) fsyncs() uint64 {
	if nd.persist == nil {
		return 0
	}
	return nd.persist.fsyncs.Load()
}

// durableRecords is the number of records written to the data directory so far.
func (nd *node) durableRecords() uint64 {
	if nd.persist == nil {
		return 0
	}
	return nd.persist.records.Load()
}
