package pbft

// tryPropose lets the leader cut batches (docs/protocol.md, "Normal case", step 2; "Batching and
// flow control") while awaited says so. It is also where a fill starts: the first time the leader
// finds nothing in flight after a batch.
func (r *Replica) tryPropose() {
	if r.canPropose() && r.inflight() == 0 {
		r.pending.startFill(r.now, r.cfg.FillTicks)
	}
	for r.awaited() == 0 { // 0 means at least one request waits
		batch := r.pending.take(r.cfg.MaxBatch, r.cfg.batchBytes())
		r.nextSeq++
		pp := &PrePrepare{View: r.view, Seq: r.nextSeq, Digest: BatchDigest(batch), Batch: batch,
			WantTau: r.collector.expectSlow(&r.cfg, r.nextSeq)}
		r.broadcast(pp)
		r.acceptPrePrepare(pp) // the broadcast's own copy comes back later as a duplicate
	}
}

// blocked is what awaited returns when no number of waiting requests makes the leader propose.
const blocked = 1 << 30

// awaited is how many more requests must wait before the leader proposes (0: it proposes
// now). It only reads the state, so the runtime may ask it at any time (Awaited). Batching
// adapts to load and is self-clocked:
//   - With no slot in flight the leader proposes at once (low latency under light load),
//     except when its last slot has just committed: then the clients it proposed since the
//     last such moment were just answered and will come back together, and it lets them
//     (all but a sixteenth) join the requests that wait, for at most FillTicks (fill). A slot
//     for the first few of them would make all the others wait a whole slot.
//   - While slots are in flight it opens another only once PipelineBatch requests wait, so
//     that under load batches grow instead of slots multiplying (a slot costs every replica a
//     few pairing-based operations whatever its size).
//   - With MaxInflight slots in flight it waits for a full batch (MaxBatch), and it never
//     exceeds 2·MaxInflight.
func (r *Replica) awaited() int {
	if !r.canPropose() {
		return blocked
	}
	inflight := r.inflight()
	need := 1
	switch {
	case inflight >= 2*r.cfg.MaxInflight:
		return blocked
	case inflight >= r.cfg.MaxInflight:
		need = r.cfg.MaxBatch
	case inflight > 0:
		need = min(r.cfg.PipelineBatch, r.cfg.MaxBatch)
	default:
		need = min(r.pending.fill(r.now), r.cfg.MaxBatch)
	}
	return max(0, need-len(r.pending.reqs))
}

// canPropose reports whether this replica leads an active view with room for another slot.
func (r *Replica) canPropose() bool {
	return r.viewActive && r.isLeader() && r.inWindow(r.nextSeq+1)
}

// inflight is the number of slots the leader proposed in this view that have not committed.
// The slots its NEW-VIEW carried over do not count: waiting for PipelineBatch requests until
// they commit held a new leader's first proposal back by a round of votes (docs/protocol.md,
// "View change"); they are bounded by the window, not by the pipeline.
func (r *Replica) inflight() int {
	from := r.committedPrefix()
	if r.carriedIn == r.view {
		from = max(from, r.carried)
	}
	return int(r.nextSeq - from)
}

// committedPrefix is the highest slot such that it and all slots before it are committed.
func (r *Replica) committedPrefix() Seq {
	s := r.executed
	for {
		sl := r.slots[s+1]
		if sl == nil || sl.status < StatusCommitted {
			return s
		}
		s++
	}
}

// onPrePrepare accepts a pre-prepare from the leader of the current view (docs/protocol.md, "Normal
// case" step 3).
func (r *Replica) onPrePrepare(from NodeID, pp *PrePrepare) {
	if !r.viewActive || pp.View != r.view || from != r.cfg.leaderOf(pp.View) || !r.inWindow(pp.Seq) {
		r.stats.RejectedMessages++
		return
	}
	if !r.validBatch(pp.Batch) || BatchDigest(pp.Batch) != pp.Digest {
		r.stats.RejectedMessages++
		return
	}
	r.acceptPrePrepare(pp)
}

// validBatch checks what an honest leader's batch respects (F3 in docs/protocol.md): at most
// MaxBatch requests and the byte budget, operations of at most MaxOpBytes, no request twice,
// and no read-only request (those are answered, never ordered: C3). Without it one genuine request repeated a million times is a valid 40 MiB batch,
// and two such voted slots make every honest VIEW-CHANGE too large to send.
func (r *Replica) validBatch(batch []Request) bool {
	if len(batch) > r.cfg.MaxBatch {
		return false
	}
	size, budget := 0, r.cfg.batchBytes()
	seen := make(map[ClientID]uint64, len(batch))
	for i := range batch {
		req := &batch[i]
		if size += RequestBytes(req); size > budget || len(req.Op) > MaxOpBytes || req.Timestamp == 0 || req.ReadOnly {
			return false
		}
		if t, dup := seen[req.Client]; dup && t == req.Timestamp {
			return false
		}
		seen[req.Client] = req.Timestamp
	}
	return true
}

// acceptPrePrepare records a pre-prepare of the current view and votes for it: one PREPARE to
// the collector carrying the τ- and σ-shares (the signer fills them).
func (r *Replica) acceptPrePrepare(pp *PrePrepare) {
	sl := r.slotAt(pp.Seq)
	if c := sl.committed; c != nil && c.Digest != pp.Digest {
		// The slot's value is final: only a faulty leader proposes another. A replica that
		// took the slot from a NEW-VIEW's certificate (acceptDecided) and restarted holds that
		// certificate but no pre-prepare of the view to refuse the proposal by.
		r.stats.RejectedConflicts++
		r.logf("s=%d reject PRE-PREPARE d=%s conflicting with the commit certificate d=%s", pp.Seq, pp.Digest, c.Digest)
		return
	}
	if sl.pp != nil && sl.pp.View == pp.View {
		switch {
		case sl.pp.Digest != pp.Digest:
			r.stats.RejectedConflicts++
			r.logf("s=%d reject conflicting PRE-PREPARE d=%s (accepted d=%s)", pp.Seq, pp.Digest, sl.pp.Digest)
		case pp.WantTau && !sl.tauSent:
			r.sendPrepare(sl, true) // the collector asks again, for the τ-share this time
		}
		return
	}
	sl.pp = pp
	sl.tauSent = false
	sl.since, sl.paced = r.now, true
	sl.raise(StatusPrePrepare)
	if pp.Seq > r.executed {
		for i := range pp.Batch {
			if e := r.clients.get(pp.Batch[i].Client); e == nil || e.T < pp.Batch[i].Timestamp {
				r.waiting.add(pp.Batch[i], r.now)
			}
		}
	}
	if sl.vote == nil || sl.vote.View < pp.View {
		sl.vote = &VoteEntry{View: pp.View, Seq: pp.Seq, Digest: pp.Digest, Batch: pp.Batch}
	}
	if r.isLeader() {
		for i := range pp.Batch {
			r.pending.markProposed(&pp.Batch[i])
		}
	}
	r.persist(Record{Kind: RecPrepare, View: pp.View, Seq: pp.Seq, Digest: pp.Digest, Batch: pp.Batch})
	r.sendPrepare(sl, pp.WantTau)
}

// sendPrepare sends the slot's PREPARE to the collector: with the σ-share always, and the
// τ-share if the collector asked for it (withTau) or already had it from this replica.
func (r *Replica) sendPrepare(sl *slot, withTau bool) {
	sl.tauSent = sl.tauSent || withTau
	pp := sl.pp
	r.send(r.cfg.leaderOf(pp.View), &Prepare{View: pp.View, Seq: pp.Seq, Digest: pp.Digest, SigmaOnly: !sl.tauSent})
}

// onCert handles a certificate from the collector (docs/protocol.md, "Normal case" steps 4 and 5).
// The runtime has verified its threshold signature.
func (r *Replica) onCert(c *Cert) {
	if c.Seq <= r.stable.Seq || c.Seq > r.stable.Seq+r.cfg.Window {
		return
	}
	sl := r.slotAt(c.Seq)
	batch := r.batchFor(sl, c.Digest)
	switch c.Type {
	case PrepareCert:
		r.notePrepared(sl, c, batch)
		sl.raise(StatusPrepared)
		if c.View == r.view && r.viewActive && sl.sentCommit != c.View {
			sl.sentCommit, sl.commitFor = c.View, c.Digest
			r.persist(Record{Kind: RecCommit, View: c.View, Seq: c.Seq, Digest: c.Digest})
			r.send(r.cfg.leaderOf(c.View), &Commit{View: c.View, Seq: c.Seq, Digest: c.Digest})
		}
	case FullCommitProof, CommitCert:
		if c.Type == FullCommitProof {
			r.notePrepared(sl, c, batch)
		}
		r.markCommitted(sl, c, batch)
	}
}

// batchFor returns the batch with digest d if this replica has it.
func (r *Replica) batchFor(sl *slot, d Digest) []Request {
	switch {
	case sl.pp != nil && sl.pp.Digest == d:
		return sl.pp.Batch
	case sl.prepared != nil && sl.prepared.Cert.Digest == d && sl.prepared.Batch != nil:
		return sl.prepared.Batch
	case sl.vote != nil && sl.vote.Digest == d && sl.vote.Batch != nil:
		return sl.vote.Batch
	case sl.committed != nil && sl.committed.Digest == d && sl.batch != nil:
		return sl.batch
	}
	return nil
}

// notePrepared keeps the highest-view certificate of a slot for the view change. It is kept
// even when this replica lacks the batch (PBFT's invariant, docs/protocol.md "View change"):
// a replica that signs COMMIT for a PREPARE-CERT reports that certificate in every later
// VIEW-CHANGE, with the batch if it has it and by digest otherwise; the new leader then
// finds the batch in other VIEW-CHANGEs or fetches it (FETCH-BATCH).
func (r *Replica) notePrepared(sl *slot, c *Cert, batch []Request) {
	if sl.prepared == nil || sl.prepared.Cert.View < c.View ||
		(sl.prepared.Cert.View == c.View && c.Type == FullCommitProof && sl.prepared.Cert.Type != FullCommitProof) {
		sl.prepared = &PreparedEntry{Cert: *c, Batch: batch}
		if c.Type == PrepareCert {
			r.persistCert(c) // a FULL-COMMIT-PROOF is persisted by markCommitted
		}
		return
	}
	if sl.prepared.Batch == nil && batch != nil && sl.prepared.Cert.Digest == c.Digest {
		sl.prepared.Batch = batch
	}
}

// markCommitted records a committed slot and executes what it can.
func (r *Replica) markCommitted(sl *slot, c *Cert, batch []Request) {
	if sl.committed != nil {
		if sl.batch == nil && batch != nil && sl.committed.Digest == c.Digest {
			sl.batch = batch
			r.execute()
		}
		return
	}
	sl.committed = c
	sl.batch = batch
	sl.raise(StatusCommitted)
	r.persistCert(c)
	if c.Type == FullCommitProof {
		r.stats.FastCommits++
	} else {
		r.stats.SlowCommits++
	}
	if batch == nil && c.Digest != noopDigest {
		r.noteAhead(c.Seq)
	}
	r.execute()
	r.tryPropose()
}
