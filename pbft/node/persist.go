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
// protocol loop hands it each Ready's records as a numbered job; a writer goroutine writes
// whatever is pending as one synced Append and then releases, in order, the sends held for
// those jobs: a message that binds the replica (pbft.NeedsDurability) waits for the job of
// its Ready, and everything else leaves at once, without waiting for any sync (before, every
// message queued behind every earlier sync). The loop never waits for the
// disk.
// Checkpoint snapshots are saved by a second goroutine at most every snapshotEvery, since the
// executed slots since the last saved snapshot are durable and replayed on restart; a snapshot
// installed through catch-up (Required) is saved by the writer before the records.
type persister struct {
	store storage.Store
	log   zerolog.Logger
	fail  func(error) // stops the replica: one that cannot persist must not send

	submitted uint64 // loop only: the last job issued

	mu        sync.Mutex
	wake      *sync.Cond
	pending   []persistJob
	durable   uint64     // the last job written and synced
	syncNow   bool       // a job already written unsynced must be synced (needSync)
	held      []heldSend // sends waiting for a job, in the order they were held
	stopped   bool
	moved     *sync.Cond              // broadcast when durable moves or the persister stops
	latest    *pbft.DurableCheckpoint // offered to the snapshot goroutine
	latestJob uint64                  // the job latest's records are in
	snapCh    chan struct{}
	done      chan struct{}

	saveMu sync.Mutex
	saved  pbft.Seq // the last saved checkpoint

	fsyncs  atomic.Uint64
	records atomic.Uint64
	synced  prometheus.Observer // seconds per synced Append (nil: not observed)
	wg      sync.WaitGroup
}

// persistJob is one Ready's records, the checkpoint that must precede them (if any) and the
// job's number.
type persistJob struct {
	recs []pbft.Record
	ckpt *pbft.DurableCheckpoint
	id   uint64
	sync bool // a binding message waits for it: the write is synced
}

// heldSend is a send that waits until job is durable.
type heldSend struct {
	job uint64
	run func()
}

// snapshotEvery is the least time between two checkpoint snapshots saved: encoding a million
// accounts takes tens of milliseconds and writes 16 MiB, and a restart replays at most this
// long's executed slots from the ledger (a few hundred at full load, well under a second).
const snapshotEvery = 5 * time.Second

func newPersister(store storage.Store, saved pbft.Seq, log zerolog.Logger, synced prometheus.Observer, fail func(error)) *persister {
	p := &persister{store: store, log: log, fail: fail, saved: saved, synced: synced, snapCh: make(chan struct{}, 1), done: make(chan struct{})}
	p.wake, p.moved = sync.NewCond(&p.mu), sync.NewCond(&p.mu)
	p.wg.Add(2)
	go p.write()
	go p.snapshots()
	return p
}

// submit is called by the loop with the Ready before its messages are dispatched; binding
// says whether any of them waits for the records (pbft.NeedsDurability). It returns the job
// they wait for: its own, or the last one before it when it has nothing to write. Only a job
// that something waits for is synced; the others are written without waiting for the disk
// and become durable with the next synced write (about one fsync per slot instead of two).
func (p *persister) submit(rd *pbft.Ready, binding bool) uint64 {
	job := p.enqueue(rd, binding)
	if c := rd.Checkpoint; c != nil && !c.Required {
		p.offer(c, job)
	}
	return job
}

// enqueue queues rd's records (and a snapshot installed through catch-up) as a job and
// returns the job its messages wait for.
func (p *persister) enqueue(rd *pbft.Ready, binding bool) uint64 {
	var req *pbft.DurableCheckpoint
	if c := rd.Checkpoint; c != nil && c.Required {
		req = c
	}
	if len(rd.Persist) == 0 && req == nil {
		if binding {
			p.needSync(p.submitted)
		}
		return p.submitted
	}
	p.submitted++
	job := persistJob{recs: rd.Persist, ckpt: req, id: p.submitted, sync: binding || req != nil}
	p.mu.Lock()
	p.pending = append(p.pending, job)
	p.wake.Signal()
	p.mu.Unlock()
	return p.submitted
}

// needSync makes sure job, submitted already, is synced: by the last pending job if there is
// one (a synced write makes every earlier one durable), else by a sync of its own.
func (p *persister) needSync(job uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if job <= p.durable {
		return
	}
	if n := len(p.pending); n > 0 {
		p.pending[n-1].sync = true
	} else {
		p.syncNow = true
	}
	p.wake.Signal()
}

// after runs send once job is durable: at once if it is (0 is always durable), else when the
// writer has synced it, after the sends held before it.
func (p *persister) after(job uint64, send func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if job <= p.durable {
		send()
		return
	}
	p.held = append(p.held, heldSend{job: job, run: send})
}

// release records that job is durable and runs the sends held for it (and earlier jobs).
func (p *persister) release(job uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.durable = job
	p.moved.Broadcast()
	n := 0
	for n < len(p.held) && p.held[n].job <= job {
		p.held[n].run()
		n++
	}
	p.held = p.held[n:]
}

func (p *persister) write() {
	defer p.wg.Done()
	var written uint64 // the last job written, synced or not
	for {
		jobs, sync, ok := p.next()
		if !ok {
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
		if len(jobs) > 0 {
			written = jobs[len(jobs)-1].id
		}
		if err := p.writeOut(recs, sync); err != nil {
			p.fail(err)
			return
		}
		p.records.Add(uint64(len(recs)))
		if sync {
			p.release(written)
		}
	}
}

// writeOut writes recs, synced or not; a sync with nothing to write syncs what came before.
func (p *persister) writeOut(recs []pbft.Record, sync bool) error {
	if !sync {
		return p.store.AppendUnsynced(recs)
	}
	began := time.Now()
	var err error
	if len(recs) > 0 {
		err = p.store.Append(recs)
	} else {
		err = p.store.Sync()
	}
	if err == nil {
		if p.synced != nil {
			p.synced.Observe(time.Since(began).Seconds())
		}
		p.fsyncs.Add(1)
	}
	return err
}

// next blocks for pending jobs or a sync to do and takes all of them, with whether the write
// must be synced; ok is false once stopped.
func (p *persister) next() (jobs []persistJob, sync, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.stopped && len(p.pending) == 0 && !p.syncNow {
		p.wake.Wait()
	}
	if p.stopped {
		return nil, false, false
	}
	jobs, sync = p.pending, p.syncNow
	p.pending, p.syncNow = nil, false
	for _, j := range jobs {
		sync = sync || j.sync
	}
	return jobs, sync, true
}

// offer hands the snapshot goroutine the latest stable checkpoint, offered by a Ready whose
// messages wait for job.
func (p *persister) offer(c *pbft.DurableCheckpoint, job uint64) {
	p.mu.Lock()
	p.latest, p.latestJob = c, job
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
		c, job := p.latest, p.latestJob
		p.latest = nil
		p.mu.Unlock()
		if c == nil {
			continue
		}
		if !p.awaitDurable(job) {
			return
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

// awaitDurable waits until job is durable, asking the writer to sync it; false once stopped.
// A snapshot is saved only after the records of the Ready that offered it (its executed slots,
// its stable checkpoint certificate) are durable: otherwise a crash in between leaves a state
// at slot s whose ledger lacks the slots up to s and the certificate of s, and the ledger has a
// gap that no certificate covers.
func (p *persister) awaitDurable(job uint64) bool {
	p.needSync(job)
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.durable < job && !p.stopped {
		p.moved.Wait()
	}
	return !p.stopped
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

// stop ends both goroutines (pending writes are dropped: the sends held for them never run) and
// closes the store.
func (p *persister) stop() {
	p.mu.Lock()
	p.stopped = true
	p.wake.Broadcast()
	p.moved.Broadcast()
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
