package pbft

import "sort"

// Catch-up (SPEC 3.6): a replica that learns that others are ahead — a certificate for a slot
// whose batch it lacks, f+1 checkpoint shares or a checkpoint certificate beyond it, a peer's
// STATUS — fetches committed batches with their certificates from one peer at a time, or a
// snapshot at the peer's stable checkpoint. Certificates make any single source safe.

// maxFetchSlots bounds one FETCH-REPLY.
const maxFetchSlots = 64

type catchupState struct {
	target     Seq            // the highest slot known to be committed somewhere
	inflight   bool           // a FETCH is outstanding
	deadline   uint64         // when the outstanding FETCH is given up
	peer       NodeID         // the peer asked last (rotates)
	lastStatus uint64         // tick of the last STATUS sent
	lastExec   Seq            // executed slot at the last STATUS (to detect being stuck)
	peerExec   map[NodeID]Seq // executed slot each peer reported in its last STATUS
}

// noteAhead records that slot s is committed somewhere and fetches if this replica lacks it.
func (r *Replica) noteAhead(s Seq) {
	if s > r.catchup.target {
		r.catchup.target = s
	}
	r.fetchMore()
}

// needSlots is noteAhead for a committed slot whose batch this replica lacks.
func (r *Replica) needSlots(s Seq) { r.noteAhead(s) }

func (r *Replica) fetchMore() {
	c := &r.catchup
	if c.inflight || c.target <= r.executed {
		return
	}
	c.peer = r.nextPeer(c.peer)
	c.inflight = true
	c.deadline = r.now + uint64(r.cfg.FetchTicks)
	r.send(c.peer, &Fetch{From: r.executed + 1, To: c.target})
}

// nextPeer rotates over the other replicas, so a silent or lying peer is only tried once in turn.
func (r *Replica) nextPeer(p NodeID) NodeID {
	for {
		p = p%NodeID(r.cfg.N) + 1
		if p != r.cfg.ID {
			return p
		}
	}
}

func (r *Replica) catchupTick() {
	c := &r.catchup
	if c.inflight && r.now >= c.deadline {
		c.inflight = false
		r.fetchMore()
	}
	if r.now-c.lastStatus < uint64(r.cfg.StatusTicks) {
		return
	}
	if r.executed == c.lastExec {
		// No progress for a whole period: catch up to what f+1 peers (one honest) executed.
		if s := r.vouchedExecuted(); s > r.executed {
			r.noteAhead(s)
		}
	}
	c.lastStatus = r.now
	c.lastExec = r.executed
	r.broadcast(&Status{View: r.view, Stable: r.stable, Executed: r.executed})
}

// onStatus fetches when a peer has a (certified) stable checkpoint beyond this replica's
// execution, and remembers what the peer executed (see catchupTick).
func (r *Replica) onStatus(from NodeID, m *Status) {
	if m.Stable.Seq > r.stable.Seq {
		r.onCheckpointCert(&m.Stable)
	}
	if r.catchup.peerExec == nil {
		r.catchup.peerExec = map[NodeID]Seq{}
	}
	r.catchup.peerExec[from] = m.Executed
}

// vouchedExecuted is the highest slot that at least f+1 peers report executed.
func (r *Replica) vouchedExecuted() Seq {
	var seqs []Seq
	for id := NodeID(1); int(id) <= r.cfg.N; id++ {
		if s, ok := r.catchup.peerExec[id]; ok && id != r.cfg.ID {
			seqs = append(seqs, s)
		}
	}
	if len(seqs) < r.cfg.F+1 {
		return 0
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] > seqs[j] })
	return seqs[r.cfg.F]
}

// onFetch serves committed slots, and a snapshot when the peer is below the stable checkpoint.
func (r *Replica) onFetch(from NodeID, m *Fetch) {
	if from == r.cfg.ID || m.To < m.From {
		return
	}
	reply := &FetchReply{}
	start := m.From
	if start <= r.stable.Seq {
		if r.stable.Seq == 0 {
			return
		}
		reply.Snapshot = &Snapshot{Cert: r.stable, State: r.snapshot.encoded()}
		start = r.stable.Seq + 1
	}
	for s := start; s <= m.To && s <= r.executed && len(reply.Slots) < maxFetchSlots; s++ {
		sl := r.slots[s]
		if sl == nil || sl.committed == nil {
			break
		}
		pp := PrePrepare{View: sl.committed.View, Seq: s, Digest: sl.committed.Digest, Batch: sl.batch}
		reply.Slots = append(reply.Slots, CommittedSlot{PrePrepare: pp, Cert: *sl.committed})
	}
	if reply.Snapshot != nil || len(reply.Slots) > 0 {
		r.send(from, reply)
	}
}

// onFetchReply installs a verified snapshot and committed slots, then executes.
func (r *Replica) onFetchReply(from NodeID, m *FetchReply) {
	if from == r.catchup.peer {
		r.catchup.inflight = false
	}
	if m.Snapshot != nil && m.Snapshot.Cert.Seq > r.executed {
		r.installSnapshot(m.Snapshot)
	}
	for i := range m.Slots {
		cs := &m.Slots[i]
		s := cs.Cert.Seq
		if s <= r.executed || cs.PrePrepare.Seq != s || cs.Cert.Type == PrepareCert ||
			BatchDigest(cs.PrePrepare.Batch) != cs.Cert.Digest || cs.PrePrepare.Digest != cs.Cert.Digest {
			continue
		}
		sl := r.slotAt(s)
		if sl.committed == nil || sl.batch == nil {
			r.stats.Fetched++
			cert := cs.Cert
			r.markCommitted(sl, &cert, cs.PrePrepare.Batch)
		}
	}
	r.execute()
	r.fetchMore()
}

// installSnapshot replaces the state with a snapshot whose digest matches its certificate
// (restoreVerified: a bad snapshot leaves the state as it was).
func (r *Replica) installSnapshot(sn *Snapshot) {
	if !r.restoreVerified(sn.State, sn.Cert.State) {
		r.stats.RejectedMessages++
		return
	}
	r.stats.Snapshots++
	r.executed = sn.Cert.Seq
	r.stable = sn.Cert
	r.snapshot = &frozenState{bytes: sn.State}
	r.logf("s=%d installed snapshot state=%s", sn.Cert.Seq, sn.Cert.State)
	r.garbageCollect()
	for _, w := range r.waiting.sorted() {
		if e := r.clients.get(w.req.Client); e != nil && e.T >= w.req.Timestamp {
			r.waiting.executed(w.req.Client, e.T)
		}
	}
	r.vc.progress(r.now, r.cfg.ViewChangeTicks)
}

func (r *Replica) restore(b []byte) bool {
	tb, rest, ok := readBytes(b)
	if !ok {
		return false
	}
	t, tail, ok := decodeClientTable(tb)
	if !ok || len(tail) != 0 {
		return false
	}
	if err := r.cfg.App.Restore(rest); err != nil {
		return false
	}
	r.clients = t
	return true
}
