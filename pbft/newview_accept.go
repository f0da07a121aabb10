package pbft

// Accepting a NEW-VIEW (docs/protocol.md, "View change"): a backup recomputes O from V and
// enters the view only when the leader's O is exactly that; the pre-prepares of O are then
// processed as the new view's, those whose value V proves committed without a vote.

// onNewView checks a NEW-VIEW by recomputing O and, if it matches exactly, enters the view
// and processes O as pre-prepares of the new view.
func (r *Replica) onNewView(from NodeID, m *NewView) {
	if from != r.cfg.leaderOf(m.View) || m.View < r.view || (m.View == r.view && r.viewActive) {
		return
	}
	plan, ok := r.validNewView(m)
	if !ok {
		r.stats.RejectedMessages++
		r.logf("reject NEW-VIEW(v=%d) from %s: O does not match V", m.View, from)
		return
	}
	stable, maxS := plan.stable, plan.maxS
	o := m.PrePrepares // validNewView checked them against O, batches included
	r.view, r.viewActive = m.View, true
	r.vc.viewStart = r.now
	r.vc.activeView = m.View
	r.vc.remember(m)
	r.vc.prune(m.View)
	r.stats.ViewChanges++
	r.collector.armed = nil
	r.persistView()
	r.logf("enter view v=%d (leader %s, O=%d slots from %d)", m.View, r.Leader(), len(o), stable.Seq)
	if stable.Seq > r.stable.Seq {
		if own, ok := r.ownCkpt[stable.Seq]; ok && own.state == stable.State {
			r.makeStable(&stable)
		} else if stable.Seq > r.executed {
			r.noteAhead(stable.Seq)
		}
	}
	// O lies in (min-s, min-s + L]. A replica behind V's stable checkpoint keeps the slots
	// beyond its own window and accepts them once catch-up moves the window (acceptDeferred):
	// dropping them would leave them without a pre-prepare in this view (a stall), and voting
	// outside the window would let it vote for slots its VIEW-CHANGEs cannot report.
	r.vc.deferred = nil
	for i := range o {
		switch {
		case r.inWindow(o[i].Seq):
			if c := plan.decided[i]; c != nil && c.Digest == o[i].Digest {
				r.acceptDecided(&o[i], c)
			} else {
				r.acceptPrePrepare(&o[i])
			}
		case o[i].Seq > r.stable.Seq:
			r.vc.deferred = append(r.vc.deferred, o[i])
		}
	}
	if r.isLeader() {
		r.nextSeq = max(maxS, stable.Seq, r.executed)
		r.carried, r.carriedIn = r.nextSeq, r.view
	}
	r.forwardWaiting()
	r.tryPropose()
	r.replayFuture()
}

// acceptDecided takes a pre-prepare of O whose value a commit certificate in V proves
// committed (decidedCert): the replica keeps its batch and commits it with that certificate,
// and sends no PREPARE for it. Voting again on the slots between the stable checkpoint and the
// last committed one (up to 4K of them) cost a threshold round each: under load, a NEW-VIEW
// with 47 such slots kept the new leader from proposing for 380 ms.
func (r *Replica) acceptDecided(pp *PrePrepare, c *Cert) {
	sl := r.slotAt(pp.Seq)
	if sl.pp == nil || sl.pp.View < pp.View {
		sl.pp = pp
		sl.since = r.now
		sl.raise(StatusPrePrepare)
	}
	sl.paced = false // an earlier view's certificate commits it: not the new leader's pace
	if r.isLeader() {
		for i := range pp.Batch {
			r.pending.markProposed(&pp.Batch[i])
		}
	}
	r.markCommitted(sl, c, pp.Batch)
}

// validNewView checks a NEW-VIEW (see onNewView) and returns the O it recomputed from V.
func (r *Replica) validNewView(m *NewView) (oPlan, bool) {
	if len(m.ViewChanges) < r.cfg.quorum() {
		return oPlan{}, false
	}
	seen := map[NodeID]bool{}
	for i := range m.ViewChanges {
		vc := &m.ViewChanges[i]
		if vc.View != m.View || seen[vc.Replica] || vc.Replica < 1 || int(vc.Replica) > r.cfg.N || !r.wellFormedViewChange(vc) {
			return oPlan{}, false
		}
		seen[vc.Replica] = true
	}
	plan := planO(m.View, m.ViewChanges, r.cfg.F)
	o := plan.o
	if len(o) != len(m.PrePrepares) {
		return oPlan{}, false
	}
	for i := range o {
		got := &m.PrePrepares[i]
		if got.View != m.View || got.Seq != o[i].Seq || got.Digest != o[i].Digest || BatchDigest(got.Batch) != got.Digest {
			return oPlan{}, false
		}
	}
	return plan, true
}

// acceptDeferred accepts the pre-prepares of the current view's O that the window has
// reached since the NEW-VIEW (see onNewView).
func (r *Replica) acceptDeferred() {
	kept := r.vc.deferred[:0]
	for i := range r.vc.deferred {
		pp := r.vc.deferred[i]
		switch {
		case pp.View != r.view || !r.viewActive || pp.Seq <= r.stable.Seq:
		case r.inWindow(pp.Seq):
			r.acceptPrePrepare(&pp)
		default:
			kept = append(kept, pp)
		}
	}
	r.vc.deferred = kept
}
