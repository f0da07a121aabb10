package pbft

import (
	"errors"
	"fmt"
	"sort"
)

// RecoverReport says what Recover rebuilt, for the runtime to log.
type RecoverReport struct {
	SnapshotSeq      Seq  // the saved checkpoint the state was restored from (0: genesis)
	SnapshotRejected bool // the saved snapshot did not match its certificate: state from genesis
	Replayed         int  // executed slots replayed after the snapshot
	Executed         Seq  // the last executed slot after replay
	Stable           Seq  // the stable checkpoint after recovery
	View             View
	ViewActive       bool
	Votes            int // PREPARE votes restored above the stable checkpoint
	// ReplayStopped says why replay stopped before a durable executed slot whose batch or
	// certificate does not match (empty: it did not).
	ReplayStopped string
}

// Recover rebuilds a replica from what it made durable (Ready.Persist, Ready.Checkpoint): the state
// at the saved checkpoint, verified against its certificate; the executed slots after it, replayed
// in order through the Application; the stable checkpoint; and the voting state — its view (and
// whether it had sent VIEW-CHANGE for it), the PREPARE and COMMIT votes it sent, the certificates
// it holds and the NEW-VIEW it sent as leader — so that it never signs a vote conflicting with one
// it signed before the crash, never goes back to a lower view, and reports its certificates in
// later VIEW-CHANGEs. It is an honest replica at once; as leader it goes on proposing after the
// slots it recorded. cfg.App must hold the genesis state (the snapshot, if any, replaces it). The
// first Ready may hold messages: a VIEW-CHANGE re-sent, or a FETCH for what it must catch up on.
func Recover(cfg Config, rec Recovered) (*Replica, RecoverReport, error) {
	r, err := New(cfg)
	if err != nil {
		return nil, RecoverReport{}, err
	}
	var rep RecoverReport
	r.replaying = true
	if sn := rec.Snapshot; sn != nil && sn.Cert.Seq > 0 {
		if r.restoreVerified(sn.State, sn.Cert.State) {
			r.executed, r.stable = sn.Cert.Seq, sn.Cert
			r.snapshot = &frozenState{bytes: sn.State}
			rep.SnapshotSeq = sn.Cert.Seq
		} else {
			rep.SnapshotRejected = true
		}
	}
	byKind := map[RecordKind][]*Record{}
	for i := range rec.Records {
		rc := &rec.Records[i]
		byKind[rc.Kind] = append(byKind[rc.Kind], rc)
	}
	if err := r.replay(byKind[RecExecuted], &rep); err != nil {
		return nil, rep, err
	}
	far := r.restoreStable(byKind[RecStable])
	r.restoreView(byKind[RecView], byKind[RecNewView])
	rep.Votes = r.restoreVotes(byKind)
	r.out = Ready{}
	r.replaying = false
	if len(rec.Records) > 0 || rec.Snapshot != nil {
		r.startHold() // a restart; a replica starting empty (a new cluster) has nothing to hold
	}
	r.afterRecover(far)
	rep.Executed, rep.Stable, rep.View, rep.ViewActive = r.executed, r.stable.Seq, r.view, r.viewActive
	return r, rep, nil
}

// replay executes the durable executed slots after the restored state, in order, stopping at
// the first gap or damaged slot (a later checkpoint from peers fills it: catch-up).
func (r *Replica) replay(recs []*Record, rep *RecoverReport) error {
	sort.Slice(recs, func(i, j int) bool { return recs[i].Seq < recs[j].Seq })
	for _, rc := range recs {
		if rc.Seq <= r.executed {
			continue
		}
		if rc.Seq != r.executed+1 {
			return nil
		}
		var err error
		if rc.Cert == nil || rc.Cert.Seq != rc.Seq {
			err = errNotItsCert
		} else {
			err = r.executeCommitted(*rc.Cert, rc.Batch)
		}
		if errors.Is(err, errNotItsCert) {
			// Damaged on disk behind its checksum (docs/protocol.md, "Durability"): replay
			// stops before it, as at a gap, and catch-up brings the slot from peers.
			rep.ReplayStopped = fmt.Sprintf("durable slot %d does not match its commit certificate: replay stops before it, catch-up fetches it from peers", rc.Seq)
			return nil
		}
		if err != nil {
			return err
		}
		rep.Replayed++
	}
	return nil
}

// restoreStable makes the highest durable stable checkpoint stable again if replay reached it
// (the replica took that checkpoint again); it returns it if replay did not.
func (r *Replica) restoreStable(recs []*Record) Seq {
	var best *CheckpointCert
	for _, rc := range recs {
		if rc.Stable != nil && (best == nil || rc.Stable.Seq > best.Seq) {
			best = rc.Stable
		}
	}
	if best == nil || best.Seq <= r.stable.Seq {
		return 0
	}
	if own, ok := r.ownCkpt[best.Seq]; ok && own.state == best.State {
		r.makeStable(best)
		return 0
	}
	return best.Seq
}

// restoreView restores the highest view recorded and the NEW-VIEW sent as its leader.
func (r *Replica) restoreView(views, newViews []*Record) {
	for _, rc := range views {
		if rc.View > r.view || (rc.View == r.view && rc.Active) {
			r.view, r.viewActive = rc.View, rc.Active
		}
	}
	for _, rc := range newViews {
		if rc.NewView != nil && rc.View > r.vc.sentNewView {
			r.vc.sentNewView, r.vc.lastNewView = rc.View, rc.NewView
			r.vc.newViewSent, r.vc.answered, r.vc.lagging = r.now, map[NodeID]repeatAnswer{}, nil
		}
	}
	if r.viewActive {
		r.vc.activeView = r.view
	}
}

// restoreVotes restores the votes and certificates of the slots above the stable checkpoint.
// The PREPARE and COMMIT votes of slots it executed (replayed) are restored too: those slots
// are still in the window, and a faulty leader's second pre-prepare for one of them must be
// refused as before the crash, not voted for (a replica never signs two digests for one
// (kind, view, slot), docs/protocol.md "Durability").
func (r *Replica) restoreVotes(byKind map[RecordKind][]*Record) int {
	votes := 0
	// Every voted batch, by slot and digest: a certificate of a value this replica voted for
	// in an earlier view takes its batch from that vote, though a later vote (of another
	// value) replaced it as the slot's vote.
	type slotDigest struct {
		s Seq
		d Digest
	}
	voted := map[slotDigest][]Request{}
	for _, rc := range byKind[RecPrepare] {
		if rc.Seq <= r.stable.Seq {
			continue
		}
		sl := r.slotAt(rc.Seq)
		if BatchDigest(rc.Batch) != rc.Digest {
			continue
		}
		voted[slotDigest{rc.Seq, rc.Digest}] = rc.Batch
		if sl.vote == nil || sl.vote.View < rc.View {
			sl.vote = &VoteEntry{View: rc.View, Seq: rc.Seq, Digest: rc.Digest, Batch: rc.Batch}
			votes++
		}
		if rc.View == r.view && sl.pp == nil {
			sl.pp = &PrePrepare{View: rc.View, Seq: rc.Seq, Digest: rc.Digest, Batch: rc.Batch}
			sl.since = r.now
			sl.raise(StatusPrePrepare)
			if r.isLeader() {
				r.nextSeq = max(r.nextSeq, rc.Seq)
			}
		}
	}
	for _, rc := range byKind[RecCommit] {
		if rc.Seq > r.stable.Seq {
			if sl := r.slotAt(rc.Seq); rc.View > sl.sentCommit {
				sl.sentCommit, sl.commitFor = rc.View, rc.Digest
			}
		}
	}
	for _, rc := range byKind[RecCert] {
		if rc.Cert == nil || rc.Seq <= r.stable.Seq || rc.Seq <= r.executed {
			continue
		}
		sl := r.slotAt(rc.Seq)
		c := *rc.Cert
		batch := r.batchFor(sl, c.Digest)
		if batch == nil {
			batch = voted[slotDigest{c.Seq, c.Digest}]
		}
		if c.Type != CommitCert {
			r.notePrepared(sl, &c, batch)
		}
		if c.Type != PrepareCert && sl.committed == nil {
			// Its batch is at hand when this replica voted for it (RecPrepare keeps the batch):
			// the slot executes at once. Otherwise catch-up fetches it (afterRecover). After
			// a power cut of every replica, before their executed records were durable, the
			// votes are the only copies left, and fetching would find none.
			sl.committed, sl.batch = &c, batch
			sl.raise(StatusCommitted)
		} else if c.Type == PrepareCert {
			sl.raise(StatusPrepared)
		}
	}
	return votes
}

// afterRecover starts what a recovered replica must do at once: the VIEW-CHANGE it was
// sending, and catch-up to a stable checkpoint or committed slots it could not replay. Its
// view-change timers wait until it has heard from its peers (startHold, in Recover).
func (r *Replica) afterRecover(far Seq) {
	if r.isLeader() {
		r.nextSeq = max(r.nextSeq, r.executed, r.stable.Seq)
		if nv := r.vc.lastNewView; nv != nil && nv.View == r.view {
			// The slots of its NEW-VIEW's O are taken in this view, those decided by a
			// certificate included (no vote of this replica records them): proposing there
			// again would be a second pre-prepare for one (view, slot).
			r.carried, r.carriedIn = 0, r.view
			for i := range nv.PrePrepares {
				r.carried = max(r.carried, nv.PrePrepares[i].Seq)
			}
			r.nextSeq = max(r.nextSeq, r.carried)
		}
	}
	if nv := r.vc.lastNewView; !r.viewActive && nv != nil && nv.View == r.view {
		// It sent this NEW-VIEW and crashed before its own copy came back: it enters the
		// view as it would have, and answers the others' STATUS with it (answerLagging).
		r.onNewView(r.cfg.ID, nv)
	}
	if !r.viewActive {
		r.vc.started = r.now
		r.vc.own = r.buildViewChange(r.view)
		r.vc.fullSent = r.now
		r.sendViewChange(r.vc.own, r.vc.own.Slim(), true)
	}
	if far > r.executed {
		r.noteAhead(far)
	}
	for _, s := range r.sortedSlots() {
		if sl := r.slots[s]; sl.committed != nil && sl.batch == nil && sl.committed.Digest != noopDigest {
			r.noteAhead(s)
		}
	}
	r.execute()
}

// errNotItsCert: a slot's batch does not match its commit certificate, or it has none.
var errNotItsCert = errors.New("the batch does not match its commit certificate")

// executeCommitted executes the next slot, committed by c with batch, as replay does: the
// slot must follow the last executed one and the batch match the commit certificate.
func (r *Replica) executeCommitted(c Cert, batch []Request) error {
	switch {
	case c.Seq != r.executed+1:
		return fmt.Errorf("pbft: slot %d follows %d", c.Seq, r.executed)
	case c.Type == PrepareCert || BatchDigest(batch) != c.Digest:
		return fmt.Errorf("pbft: slot %d: %w", c.Seq, errNotItsCert)
	}
	sl := r.slotAt(c.Seq)
	sl.committed, sl.batch = &c, batch
	sl.raise(StatusCommitted)
	r.execute()
	return nil
}
