package pbft

import "github.com/bftbank/pbft/pbft/quorum"

// Catch-up (docs/protocol.md, "Checkpoints and catch-up"): a replica that learns that others are
// ahead — a certificate for a slot whose batch it lacks, f+1 checkpoint shares or a checkpoint
// certificate beyond it, a peer's STATUS — fetches committed batches with their certificates from
// one peer at a time, or a snapshot at the peer's stable checkpoint. Certificates make any single
// source safe.

// Bounds on what a peer can make a replica hold or do through catch-up. Every structure a
// peer can fill is bounded by one of these, by n (one entry per replica) or by both.
const (
	// maxFetchSlots bounds one FETCH and one FETCH-REPLY: a replica asks for at most
	// min(maxFetchSlots, L) slots past its executed one (fetchSpan), serves at most
	// maxFetchSlots slots per FETCH, and installs from a reply only slots inside the range it
	// asked for. So a peer can make a replica allocate at most fetchSpan slots above its
	// executed one through catch-up, whatever sequence numbers it claims.
	maxFetchSlots = 64

	// serveSlotsPerPeriod is how many committed slots a replica serves to one peer per
	// FetchTicks ticks (with at most one snapshot per peer per FetchTicks, see serveBudget). An
	// honest fetcher asks each peer in turn, so it needs far less; what a peer asks beyond it
	// is dropped and counted in Stats.RejectedMessages.
	serveSlotsPerPeriod = maxFetchSlots
)

type catchupState struct {
	target     Seq            // the highest slot known (or claimed) to be committed somewhere
	inflight   bool           // a FETCH is outstanding
	deadline   uint64         // when the outstanding FETCH is given up
	peer       NodeID         // the peer asked last (rotates)
	from, to   Seq            // the range of the outstanding FETCH
	idle       int            // fetches in a row that brought no progress (see fetchDone)
	lastStatus uint64         // tick of the last STATUS sent
	lastExec   Seq            // executed slot at the last STATUS (to detect being stuck)
	peerExec   map[NodeID]Seq // executed slot each replica reported in its last STATUS: at most n entries
	serve      []serveBudget  // what this replica served each peer lately, by NodeID: n+1 entries
}

// serveBudget is what a replica served one peer in the current period of FetchTicks ticks.
type serveBudget struct {
	start    uint64 // tick at which the period began
	slots    int    // committed slots served in the period, at most serveSlotsPerPeriod
	snapshot bool   // a snapshot was served in the period (at most one)
}

// noteAhead records that slot s is committed somewhere and fetches if this replica lacks it:
// a slot beyond the executed one, or a committed slot whose batch this replica never got. s
// may be a peer's claim (a single checkpoint share): a target that a whole round of peers
// does not help reach is dropped (fetchDone), and each FETCH asks for at most fetchSpan slots.
func (r *Replica) noteAhead(s Seq) {
	if s > r.catchup.target {
		r.catchup.target = s
	}
	r.fetchMore()
}

// fetchSpan is how many slots one FETCH asks for at most: maxFetchSlots, and no more than a
// window's worth (L) past the executed slot.
func (r *Replica) fetchSpan() Seq { return min(maxFetchSlots, r.cfg.Window) }

func (r *Replica) fetchMore() {
	c := &r.catchup
	if c.inflight {
		return
	}
	if c.target <= r.executed {
		c.idle = 0
		return
	}
	c.peer = r.nextPeer(c.peer)
	c.inflight = true
	c.deadline = r.now + uint64(r.cfg.FetchTicks)
	c.from = r.executed + 1
	c.to = r.executed + min(c.target-r.executed, r.fetchSpan())
	r.send(c.peer, &Fetch{From: c.from, To: c.to})
}

// fetchDone ends the outstanding FETCH. After N-1 fetches in a row that brought no progress
// (every other replica asked once in turn, and nothing executed meanwhile), the target is
// dropped: it was a lie, or no peer can serve it now; STATUS gossip, certificates and
// checkpoints set it again if it is real.
func (r *Replica) fetchDone() {
	c := &r.catchup
	c.inflight = false
	if r.executed >= c.from {
		c.idle = 0
		return
	}
	c.idle++
	if c.idle >= r.cfg.N-1 {
		r.logf("catch-up to s=%d given up after %d fetches without progress", c.target, c.idle)
		c.idle, c.target = 0, r.executed
	}
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
		r.fetchDone()
		r.fetchMore()
	}
	if r.now-c.lastStatus < uint64(r.cfg.StatusTicks) {
		return
	}
	if r.executed == c.lastExec {
		// No progress for a whole period: catch up to what f+1 peers (one honest) executed,
		// or else to what a single peer claims, at most fetchSpan slots ahead.
		if s := r.stuckTarget(); s > r.executed {
			r.noteAhead(s)
		}
	}
	c.lastStatus = r.now
	c.lastExec = r.executed
	r.broadcast(&Status{View: r.view, Stable: r.stable, Executed: r.executed, Changing: !r.viewActive})
}

// onStatus fetches when a peer has a (certified) stable checkpoint beyond this replica's
// execution, remembers what the peer executed (see catchupTick) and its view, and sends the
// NEW-VIEW to a peer behind this replica's view (docs/protocol.md, "Durability").
func (r *Replica) onStatus(from NodeID, m *Status) {
	r.noteHeard(from)
	r.notePeerView(from, m)
	if r.lagsBehind(m) {
		r.answerLagging(from)
	}
	if m.Stable.Seq > r.stable.Seq {
		r.onCheckpointCert(&m.Stable)
	}
	if r.catchup.peerExec == nil {
		r.catchup.peerExec = map[NodeID]Seq{}
	}
	r.catchup.peerExec[from] = m.Executed
}

// stuckTarget is the slot a replica that made no progress for a STATUS period catches up to:
// what f+1 peers executed, or else the highest slot a single peer claims, capped at fetchSpan
// past its own. A single honest replica may be the only one that executed a committed slot
// (the others lost the certificate in a power cut, and its leader, restarted, stays silent in
// its view), and the certificate makes its answer safe. A lying peer costs at most one FETCH
// of fetchSpan slots per FetchTicks while the replica is idle, dropped after a round of peers
// (fetchDone).
func (r *Replica) stuckTarget() Seq {
	if s := r.vouchedExecuted(); s > r.executed {
		return s
	}
	best := r.executed
	for id, s := range r.catchup.peerExec {
		if id != r.cfg.ID && s > best {
			best = s
		}
	}
	return min(best, r.executed+r.fetchSpan())
}

// vouchedExecuted is the highest slot that at least f+1 peers report executed.
func (r *Replica) vouchedExecuted() Seq {
	var seqs []Seq
	for id := NodeID(1); int(id) <= r.cfg.N; id++ {
		if s, ok := r.catchup.peerExec[id]; ok && id != r.cfg.ID {
			seqs = append(seqs, s)
		}
	}
	s, _ := quorum.KthHighest(seqs, r.cfg.F+1)
	return s
}

// budget returns what this replica served peer p in the current period, starting a new
// period once FetchTicks have passed.
func (r *Replica) budget(p NodeID) *serveBudget {
	c := &r.catchup
	if c.serve == nil {
		c.serve = make([]serveBudget, r.cfg.N+1)
	}
	b := &c.serve[p]
	if r.now-b.start >= uint64(r.cfg.FetchTicks) {
		*b = serveBudget{start: r.now}
	}
	return b
}

// onFetch serves committed slots, and a snapshot when the peer is below the stable checkpoint,
// within the peer's budget (serveSlotsPerPeriod). A FETCH with an empty or absurd range, or
// one the budget cannot serve, is dropped and counted.
func (r *Replica) onFetch(from NodeID, m *Fetch) {
	if from == r.cfg.ID || m.From == 0 || m.To < m.From {
		r.stats.RejectedMessages++
		return
	}
	b := r.budget(from)
	reply := &FetchReply{}
	start := m.From
	if start <= r.stable.Seq {
		if b.snapshot {
			r.stats.RejectedMessages++
			return
		}
		b.snapshot = true
		reply.Snapshot = &Snapshot{Cert: r.stable, State: r.snapshot.encoded()}
		start = r.stable.Seq + 1
	}
	n := min(maxFetchSlots, serveSlotsPerPeriod-b.slots)
	if n == 0 && reply.Snapshot == nil && start <= min(m.To, r.executed) {
		r.stats.RejectedMessages++ // slots over the budget
		return
	}
	reply.Slots = r.committedSlots(start, m.To, n)
	b.slots += len(reply.Slots)
	if reply.Snapshot != nil || len(reply.Slots) > 0 {
		r.send(from, reply)
	}
}

// committedSlots returns the committed slots from start on, up to to, the executed slot and n
// slots, stopping at the first this replica no longer has.
func (r *Replica) committedSlots(start, to Seq, n int) []CommittedSlot {
	var out []CommittedSlot
	for s := start; s <= to && s <= r.executed && len(out) < n; s++ {
		sl := r.slots[s]
		if sl == nil || sl.committed == nil {
			break
		}
		pp := PrePrepare{View: sl.committed.View, Seq: s, Digest: sl.committed.Digest, Batch: sl.batch}
		out = append(out, CommittedSlot{PrePrepare: pp, Cert: *sl.committed})
	}
	return out
}

// onFetchReply installs a verified snapshot and committed slots, then executes. Only a reply
// from the peer asked, while its FETCH is outstanding, is taken, and only slots in the range
// asked (a reply with more slots than asked for is refused whole): anything else is dropped
// and counted.
func (r *Replica) onFetchReply(from NodeID, m *FetchReply) {
	c := &r.catchup
	if !c.inflight || from != c.peer {
		r.stats.RejectedMessages++
		return
	}
	if uint64(len(m.Slots)) <= uint64(c.to-c.from+1) {
		r.installReply(m)
	} else {
		r.stats.RejectedMessages++
	}
	r.fetchDone()
	r.fetchMore()
}

func (r *Replica) installReply(m *FetchReply) {
	if m.Snapshot != nil && m.Snapshot.Cert.Seq > r.executed {
		r.installSnapshot(m.Snapshot)
	}
	for i := range m.Slots {
		r.installSlot(&m.Slots[i])
	}
	r.execute()
}

// installSlot records a fetched committed slot if it is in the range asked and verifies.
func (r *Replica) installSlot(cs *CommittedSlot) {
	s := cs.Cert.Seq
	if s <= r.executed || s < r.catchup.from || s > r.catchup.to || cs.PrePrepare.Seq != s ||
		cs.Cert.Type == PrepareCert || cs.PrePrepare.Digest != cs.Cert.Digest {
		return
	}
	if sl := r.slots[s]; sl != nil && sl.committed != nil && sl.batch != nil {
		return
	}
	if BatchDigest(cs.PrePrepare.Batch) != cs.Cert.Digest {
		return
	}
	sl := r.slotAt(s)
	if sl.committed == nil || sl.batch == nil {
		r.stats.Fetched++
		sl.paced = false // its latency is how long this replica lagged, not the leader's pace
		cert := cs.Cert
		r.markCommitted(sl, &cert, cs.PrePrepare.Batch)
	}
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
	stable := sn.Cert
	r.persist(Record{Kind: RecStable, Seq: stable.Seq, Stable: &stable})
	r.offerCheckpoint(true)
	r.logf("s=%d installed snapshot state=%s", sn.Cert.Seq, sn.Cert.State)
	r.garbageCollect()
	r.acceptDeferred()
	for _, w := range r.waiting.sorted() {
		if e := r.clients.get(w.req.Client); e != nil && e.T >= w.req.Timestamp {
			r.waiting.executed(w.req.Client, e.T)
		}
	}
	r.vc.progress(r.now, r.timerBase())
}

func (r *Replica) restore(b []byte) bool {
	t, rest, ok := splitSnapshot(b)
	if !ok {
		return false
	}
	if err := r.cfg.App.Restore(rest); err != nil {
		return false
	}
	r.clients = t
	return true
}
