package sim

import (
	"container/heap"
	"fmt"
	"math/rand"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/storage"
)

// durability gives every replica of a durable run (Options.Durable) an in-memory store
// (storage.Memory: the real store's keys and encoding) written as the node's group commit
// writes it (pbft/node/persist.go, docs/protocol.md "Durability"): a Ready's records are
// written before its binding messages and its replies leave (pbft.NeedsDurability,
// pbft.RepliesNeedDurability); records of a Ready without either are written unsynced, so that a power cut loses them (a process
// crash does not); a snapshot installed through catch-up (Required) is saved before the
// records, another one only once its records are durable, and only sometimes (the node
// saves one every few seconds; a restart replays the executed slots since).
//
// A replica crashes at a tick boundary (Crash) or at its next write (CrashAtNextWrite:
// before it, nothing of that Ready is durable, or after it, nothing binding was sent), and
// Restart brings it back through pbft.Recover from what its store holds, with a bank in its
// opening state. Checked on top of the simulator's invariants (among them: an honest replica
// never signs two digests for one (kind, view, slot), across restarts too): a restarted
// replica never comes back in a lower view than one it sent a message of.
type durability struct {
	s        *Sim
	rng      *rand.Rand
	disks    []*storage.Memory
	unsynced [][]pbft.Record           // per replica: written without a sync
	offered  []*pbft.DurableCheckpoint // per replica: a snapshot to save once durable
	saved    []pbft.Seq                // per replica: the last snapshot saved
	down     []bool                    // per replica: crashed, not restarted yet
	crashAt  []crashMode               // per replica: crash at its next write
	power    []bool                    // per replica: the pending crash is a power cut
	restarts int
}

type crashMode uint8

const (
	crashNone crashMode = iota
	crashBeforeWrite
	crashAfterWrite
)

func (s *Sim) initDurable() {
	d := &durability{s: s, rng: rand.New(rand.NewSource(s.opts.Seed*31 + 7))}
	n := s.N + 1 // indexed by NodeID
	d.disks = make([]*storage.Memory, n)
	d.unsynced, d.offered, d.saved = make([][]pbft.Record, n), make([]*pbft.DurableCheckpoint, n), make([]pbft.Seq, n)
	d.down, d.crashAt, d.power = make([]bool, n), make([]crashMode, n), make([]bool, n)
	for id := pbft.NodeID(1); int(id) <= s.N; id++ {
		d.disks[id] = storage.NewMemory(storage.Identity{Replica: id})
	}
	s.dur = d
}

// Down reports whether replica id crashed and has not restarted.
func (s *Sim) Down(id pbft.NodeID) bool { return s.dur != nil && s.dur.down[id] }

// Restarts is the number of restarts so far.
func (s *Sim) Restarts() int {
	if s.dur == nil {
		return 0
	}
	return s.dur.restarts
}

// Crash stops replica id now, between two Readies: its unsynced records are lost if power is
// set (a power cut), kept otherwise (a process crash; the OS has them).
func (s *Sim) Crash(id pbft.NodeID, power bool) {
	if s.dur == nil || s.dur.down[id] {
		return
	}
	s.dur.power[id] = power
	s.dur.crash(id)
}

// CrashAtNextWrite makes replica id crash at its next Ready that writes or binds: before the
// write (nothing of it durable, its binding messages lost) or after it.
func (s *Sim) CrashAtNextWrite(id pbft.NodeID, after, power bool) {
	if s.dur == nil || s.dur.down[id] {
		return
	}
	s.dur.crashAt[id], s.dur.power[id] = crashBeforeWrite, power
	if after {
		s.dur.crashAt[id] = crashAfterWrite
	}
}

// persist writes rd's records as the node would before its messages leave; it reports true
// when the replica crashes at this write instead (then the caller sends only what does not
// bind, and crashes it).
func (d *durability) persist(id pbft.NodeID, rd *pbft.Ready) bool {
	binding := len(rd.Replies) > 0 && pbft.RepliesNeedDurability
	for _, env := range rd.Messages {
		binding = binding || pbft.NeedsDurability(env.Msg)
	}
	if len(rd.Persist) == 0 && rd.Checkpoint == nil && !binding {
		return false
	}
	if mode := d.crashAt[id]; mode != crashNone {
		d.crashAt[id] = crashNone
		if mode == crashAfterWrite {
			d.write(id, rd, true)
		}
		return true
	}
	d.write(id, rd, binding)
	return false
}

func (d *durability) write(id pbft.NodeID, rd *pbft.Ready, sync bool) {
	c := rd.Checkpoint
	if c != nil && c.Required {
		d.flush(id)
		d.save(id, c)
		sync = true
	} else if c != nil {
		d.offered[id] = c
	}
	d.unsynced[id] = append(d.unsynced[id], rd.Persist...)
	if sync {
		d.flush(id)
	}
}

// flush makes the unsynced records durable, then saves the snapshot offered meanwhile (one in
// three: the node saves at most one every few seconds).
func (d *durability) flush(id pbft.NodeID) {
	if len(d.unsynced[id]) > 0 {
		if err := d.disks[id].Append(d.unsynced[id]); err != nil {
			d.fail(fmt.Errorf("n%d: append: %w", id, err))
		}
		d.unsynced[id] = nil
	}
	if c := d.offered[id]; c != nil {
		d.offered[id] = nil
		if d.rng.Intn(3) == 0 {
			d.save(id, c)
		}
	}
}

func (d *durability) save(id pbft.NodeID, c *pbft.DurableCheckpoint) {
	if c.Cert.Seq <= d.saved[id] {
		return
	}
	if err := d.disks[id].SaveCheckpoint(pbft.Snapshot{Cert: c.Cert, State: c.Snapshot()}); err != nil {
		d.fail(fmt.Errorf("n%d: save checkpoint: %w", id, err))
	}
	d.saved[id] = c.Cert.Seq
}

func (d *durability) fail(err error) {
	if d.s.inv.err == nil {
		d.s.inv.err = err
	}
}

// crash takes replica id down: a process crash keeps its unsynced records, a power cut loses
// them; the local inputs queued to it (its own messages, combined certificates) are lost.
func (d *durability) crash(id pbft.NodeID) {
	d.crashAt[id] = crashNone
	if d.power[id] {
		d.unsynced[id], d.offered[id] = nil, nil
	} else {
		d.flush(id)
	}
	d.down[id] = true
	s := d.s
	kept := s.queue[:0]
	for _, e := range s.queue {
		if e.toClient || e.to != id || (e.local == nil && e.from != id) {
			kept = append(kept, e)
		}
	}
	s.queue = kept
	heap.Init(&s.queue)
}

// Restart brings replica id back from its store (pbft.Recover) with a bank in its opening
// state.
func (s *Sim) Restart(id pbft.NodeID) error {
	d := s.dur
	if d == nil || !d.down[id] {
		return nil
	}
	disk, err := d.disks[id].Reopen(storage.Identity{Replica: id})
	if err != nil {
		return err
	}
	loaded, err := disk.Load()
	if err != nil || len(loaded.Cut) > 0 {
		return fmt.Errorf("n%d: load: %v %q", id, err, loaded.Cut)
	}
	cfg, bank, err := s.replicaConfig(id)
	if err != nil {
		return err
	}
	r, _, err := pbft.Recover(cfg, loaded.Recovered)
	if err != nil {
		return fmt.Errorf("n%d: recover: %w", id, err)
	}
	if sent := s.inv.views[id]; !s.inv.faulty[id] && r.View() < sent {
		return s.fail(fmt.Errorf("n%d came back in view %d, it had sent messages of view %d", id, r.View(), sent))
	}
	d.disks[id], d.down[id] = disk, false
	d.saved[id] = 0
	if loaded.Snapshot != nil {
		d.saved[id] = loaded.Snapshot.Cert.Seq
	}
	d.restarts++
	s.replicas[id-1], s.banks[id-1] = r, bank
	s.drain(id)
	return nil
}

// CancelCrash cancels a crash planned at replica id's next write.
func (s *Sim) CancelCrash(id pbft.NodeID) {
	if s.dur != nil {
		s.dur.crashAt[id] = crashNone
	}
}
