package pbft

import "sort"

// The view change of SPEC 3.5: PBFT's, with certificates, and SBFT's dual-mode rule for
// values that may have committed on the fast path.

// viewChangeState is a replica's view-change timer and the VIEW-CHANGE and NEW-VIEW messages
// it has seen.
type viewChangeState struct {
	timeout      int    // the current timeout in ticks; doubles per consecutive view change
	consecutive  int    // view changes since the last progress
	lastProgress uint64 // tick of the last execution (or of the start of waiting)
	started      uint64 // tick at which the current view change began
	msgs         map[View]map[NodeID]*ViewChange
	sentNewView  View
	own          *ViewChange             // this replica's VIEW-CHANGE for the view it is changing to
	fullSent     uint64                  // tick at which own went in full to the new leader last
	lastNewView  *NewView                // the NEW-VIEW this replica sent last, re-sent on request
	newViewSent  uint64                  // tick at which lastNewView was broadcast
	answered     map[NodeID]repeatAnswer // repeats of VIEW-CHANGE answered with lastNewView
	newViews     []NewView
}

// NewViews returns every NEW-VIEW this replica accepted or sent, oldest first (command 4).
func (r *Replica) NewViews() []NewView { return r.vc.newViews }

func (v *viewChangeState) progress(now uint64, base int) {
	v.lastProgress = now
	v.consecutive = 0
	v.timeout = base
}

func (r *Replica) viewChangeTick() {
	vc := &r.vc
	if r.viewActive {
		// PBFT's timer is the backups' suspicion of the leader: the leader does not suspect
		// itself, and leaves its view when f+1 replicas ask for a later one (viewToJoin).
		// Timing itself out, a new leader could leave its view before the backups had even
		// received its NEW-VIEW, which under load carries tens of MB and takes seconds.
		if r.waiting.empty() || r.isLeader() {
			vc.lastProgress = r.now
			return
		}
		if r.now-vc.lastProgress >= uint64(vc.timeout) {
			r.startViewChange(r.view + 1)
		}
		return
	}
	// PBFT's liveness rule: the NEW-VIEW timer runs only once 2f+1 replicas asked for this view;
	// otherwise replicas whose timers drift would leapfrog each other through the views.
	if len(vc.msgs[r.view]) < r.cfg.quorum() {
		vc.started = r.now
		return
	}
	if r.now-vc.started >= uint64(vc.timeout) {
		r.startViewChange(r.view + 1)
	}
}

// startViewChange moves to view nv and multicasts VIEW-CHANGE(nv).
func (r *Replica) startViewChange(nv View) {
	if nv <= r.view && !r.viewActive {
		return
	}
	r.view, r.viewActive = nv, false
	r.vc.started = r.now
	r.vc.consecutive++
	r.vc.timeout = r.cfg.ViewChangeTicks << min(r.vc.consecutive-1, maxBackoffShift)
	r.pending.reset()
	r.collector.armed = nil
	r.logf("start view change to v=%d (timeout %d ticks)", nv, r.vc.timeout)
	r.vc.own = r.buildViewChange(nv)
	r.vc.fullSent = r.now
	r.sendViewChange(r.vc.own, r.vc.own.Slim(), true)
}

// buildViewChange reports the stable checkpoint and, for every slot above it, the best
// certificate and the fast-path vote.
func (r *Replica) buildViewChange(nv View) *ViewChange {
	m := &ViewChange{View: nv, Replica: r.cfg.ID, Stable: r.stable}
	for _, s := range r.sortedSlots() {
		sl := r.slots[s]
		if s <= r.stable.Seq {
			continue
		}
		switch {
		case sl.committed != nil && (sl.batch != nil || sl.committed.Digest == noopDigest):
			m.Prepared = append(m.Prepared, PreparedEntry{Cert: *sl.committed, Batch: sl.batch})
		case sl.prepared != nil:
			m.Prepared = append(m.Prepared, *sl.prepared)
		}
		if sl.vote != nil {
			m.Votes = append(m.Votes, *sl.vote)
		}
	}
	dropRepeatedBatches(m)
	return m
}

func (r *Replica) sortedSlots() []Seq {
	seqs := make([]Seq, 0, len(r.slots))
	for s := range r.slots {
		seqs = append(seqs, s)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs
}

// onViewChange records a VIEW-CHANGE, joins a view change that f+1 replicas ask for, and
// lets the new leader send NEW-VIEW once it holds 2f+1.
func (r *Replica) onViewChange(from NodeID, m *ViewChange) {
	if m.Replica != from || m.View < r.view || !wellFormedViewChange(m) {
		r.stats.RejectedMessages++
		return
	}
	if r.vc.msgs == nil {
		r.vc.msgs = map[View]map[NodeID]*ViewChange{}
	}
	set := r.vc.msgs[m.View]
	if set == nil {
		set = map[NodeID]*ViewChange{}
		r.vc.msgs[m.View] = set
	}
	if _, dup := set[from]; dup {
		if nv := r.vc.lastNewView; nv != nil && nv.View == m.View && from != r.cfg.ID {
			r.answerViewChangeRepeat(from, nv) // it keeps asking: it may have missed the NEW-VIEW
		}
		return
	}
	if r.cfg.leaderOf(m.View) == r.cfg.ID && !carriesBatches(m) {
		r.stats.RejectedMessages++ // the new leader needs the full message to build O
		r.logf("reject VIEW-CHANGE(to v=%d) from %s: batches left out", m.View, from)
		return
	}
	set[from] = m
	if join := r.viewToJoin(); join > 0 {
		r.startViewChange(join)
	}
	r.maybeSendNewView()
}

// viewToJoin returns the smallest view above the current one that f+1 distinct replicas
// asked for (each counted at its highest request), or 0.
func (r *Replica) viewToJoin() View {
	highest := map[NodeID]View{}
	for v, set := range r.vc.msgs {
		if v <= r.view {
			continue
		}
		for id := range set {
			if v > highest[id] {
				highest[id] = v
			}
		}
	}
	if len(highest) < r.cfg.F+1 {
		return 0
	}
	views := make([]View, 0, len(highest))
	for _, v := range highest {
		views = append(views, v)
	}
	sort.Slice(views, func(i, j int) bool { return views[i] > views[j] })
	// The f+1 highest requests: joining their smallest view is joining a view that f+1 replicas
	// want at least.
	return views[r.cfg.F]
}

func (r *Replica) maybeSendNewView() {
	nv := r.view
	if r.viewActive || r.cfg.leaderOf(nv) != r.cfg.ID || r.vc.sentNewView >= nv {
		return
	}
	set := r.vc.msgs[nv]
	if len(set) < r.cfg.quorum() {
		return
	}
	var vcs []ViewChange
	var full []*ViewChange
	for id := NodeID(1); int(id) <= r.cfg.N && len(vcs) < r.cfg.quorum(); id++ {
		if m, ok := set[id]; ok {
			vcs = append(vcs, *m.Slim())
			full = append(full, m)
		}
	}
	_, _, o := computeO(nv, vcs, r.cfg.F)
	for i := range o {
		o[i].WantTau = true // replicas just out of a view change may lag: the fast path is less likely
	}
	if !r.fillBatches(o, full) {
		r.logf("cannot send NEW-VIEW(v=%d) yet: a batch of O is missing", nv)
		return
	}
	r.vc.sentNewView = nv
	r.vc.lastNewView = &NewView{View: nv, ViewChanges: vcs, PrePrepares: o}
	r.vc.newViewSent, r.vc.answered = r.now, map[NodeID]repeatAnswer{}
	r.broadcast(r.vc.lastNewView)
}

// onNewView checks a NEW-VIEW by recomputing O and, if it matches exactly, enters the view
// and processes O as pre-prepares of the new view.
func (r *Replica) onNewView(from NodeID, m *NewView) {
	if from != r.cfg.leaderOf(m.View) || m.View < r.view || (m.View == r.view && r.viewActive) {
		return
	}
	if !r.validNewView(m) {
		r.stats.RejectedMessages++
		r.logf("reject NEW-VIEW(v=%d) from %s: O does not match V", m.View, from)
		return
	}
	stable, maxS, _ := computeO(m.View, m.ViewChanges, r.cfg.F)
	o := m.PrePrepares // validNewView checked them against O, batches included
	r.view, r.viewActive = m.View, true
	r.vc.lastProgress = r.now
	r.vc.newViews = append(r.vc.newViews, *m)
	for v := range r.vc.msgs {
		if v < m.View {
			delete(r.vc.msgs, v) // VIEW-CHANGEs of views already left are never needed again
		}
	}
	r.stats.ViewChanges++
	r.collector.armed = nil
	r.logf("enter view v=%d (leader %s, O=%d slots from %d)", m.View, r.Leader(), len(o), stable.Seq)
	if stable.Seq > r.stable.Seq {
		if own, ok := r.ownCkpt[stable.Seq]; ok && own.state == stable.State {
			r.makeStable(&stable)
		} else if stable.Seq > r.executed {
			r.noteAhead(stable.Seq)
		}
	}
	for i := range o {
		if r.inWindow(o[i].Seq) {
			r.acceptPrePrepare(&o[i])
		}
	}
	if r.isLeader() {
		r.nextSeq = max(maxS, stable.Seq, r.executed)
	}
	r.forwardWaiting()
	r.tryPropose()
	r.replayFuture()
}

func (r *Replica) validNewView(m *NewView) bool {
	if len(m.ViewChanges) < r.cfg.quorum() {
		return false
	}
	seen := map[NodeID]bool{}
	for i := range m.ViewChanges {
		vc := &m.ViewChanges[i]
		if vc.View != m.View || seen[vc.Replica] || vc.Replica < 1 || int(vc.Replica) > r.cfg.N || !wellFormedViewChange(vc) {
			return false
		}
		seen[vc.Replica] = true
	}
	_, _, o := computeO(m.View, m.ViewChanges, r.cfg.F)
	if len(o) != len(m.PrePrepares) {
		return false
	}
	for i := range o {
		got := &m.PrePrepares[i]
		if got.View != m.View || got.Seq != o[i].Seq || got.Digest != o[i].Digest || BatchDigest(got.Batch) != got.Digest {
			return false
		}
	}
	return true
}

// wellFormedViewChange checks what the runtime cannot: the batches present match their
// digests (a slim copy leaves them out), entries are above the stable checkpoint and below the
// new view.
func wellFormedViewChange(m *ViewChange) bool {
	for i := range m.Prepared {
		e := &m.Prepared[i]
		if e.Cert.Seq <= m.Stable.Seq || e.Cert.View >= m.View || !batchMatches(e.Batch, e.Cert.Digest) {
			return false
		}
		if e.Cert.Type != PrepareCert && e.Cert.Type != CommitCert && e.Cert.Type != FullCommitProof {
			return false
		}
	}
	for i := range m.Votes {
		v := &m.Votes[i]
		if v.Seq <= m.Stable.Seq || v.View >= m.View || !batchMatches(v.Batch, v.Digest) {
			return false
		}
	}
	return true
}

// batchMatches reports whether a batch present has digest d; an absent batch matches any.
func batchMatches(batch []Request, d Digest) bool {
	return len(batch) == 0 || BatchDigest(batch) == d
}

// maxBackoffShift caps the doubling of the view-change timeout at 2^3 times the base: enough
// to outgrow any real message delay, short enough that a cluster recovers within seconds once a
// partition heals.
const maxBackoffShift = 3
