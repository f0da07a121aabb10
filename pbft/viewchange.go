package pbft

import (
	"sort"

	"github.com/bftbank/pbft/pbft/quorum"
)

// The view change (docs/protocol.md, "View change"): PBFT's, with certificates, and SBFT's
// dual-mode rule for values that may have committed on the fast path.

// viewChangeState is a replica's view-change timer and the VIEW-CHANGE and NEW-VIEW messages
// it has seen.
type viewChangeState struct {
	timeout     int    // the current timeout in ticks; doubles per consecutive view change
	consecutive int    // view changes since the last progress
	pace        pace   // the learned slot latency behind the timers' base (pace.go)
	viewStart   uint64 // tick at which the current view became active
	heardLeader uint64 // tick of the last message from the leader of the current view
	activeView  View   // the last view this replica saw established (its NEW-VIEW accepted)
	started     uint64 // tick at which the current view change began
	msgs        map[View]map[NodeID]*ViewChange
	sentNewView View
	own         *ViewChange             // this replica's VIEW-CHANGE for the view it is changing to
	fullSent    uint64                  // tick at which own went in full to the new leader last
	lastNewView *NewView                // the NEW-VIEW this replica sent last, re-sent on request
	newViewSent uint64                  // tick at which lastNewView was broadcast
	answered    map[NodeID]repeatAnswer // repeats of VIEW-CHANGE answered with lastNewView
	lagging     map[NodeID]repeatAnswer // lagging replicas sent lastNewView (answerLagging; n entries)
	hold        recoveryHold            // a recovered replica's timers wait for its peers
	peers       []peerView              // the view each replica reported in its last STATUS
	newViews    []NewView
	fetch       batchFetchState // the new leader's requests for the batches of O
	deferred    []PrePrepare    // O's slots beyond this replica's window (it is catching up)
	served      servedBatches   // FETCH-BATCH answers per peer
}

// NewViews returns every NEW-VIEW this replica accepted or sent, oldest first (command 4).
// The history keeps the last maxNewViews, each request named by its client and timestamp only
// (no operation, no signature), so that it stays small whatever the batches.
func (r *Replica) NewViews() []NewView { return r.vc.newViews }

// maxNewViews bounds the NEW-VIEW history of command 4.
const maxNewViews = 64

// remember adds an accepted NEW-VIEW to the history, batches reduced to their requests' names.
func (v *viewChangeState) remember(m *NewView) {
	h := NewView{View: m.View, ViewChanges: m.ViewChanges, PrePrepares: make([]PrePrepare, len(m.PrePrepares))}
	for i, pp := range m.PrePrepares {
		named := make([]Request, len(pp.Batch))
		for j := range pp.Batch {
			named[j] = Request{Client: pp.Batch[j].Client, Timestamp: pp.Batch[j].Timestamp}
		}
		pp.Batch = named
		h.PrePrepares[i] = pp
	}
	if len(v.newViews) >= maxNewViews {
		v.newViews = append(v.newViews[:0:0], v.newViews[1:]...)
	}
	v.newViews = append(v.newViews, h)
}

// progress resets the timeout to base (the configured or learned one, timerBase) after
// requests executed: the doubling is for consecutive view changes that achieve nothing.
func (v *viewChangeState) progress(_ uint64, base int) {
	v.consecutive = 0
	v.timeout = base
}

// viewChangeTick runs the backups' request timers (PBFT's rule, L1 in docs/protocol.md): a
// backup that knows a request which has waited longer than the timeout (counted from when it
// learned the request, or from the start of the view if later) suspects the leader, whatever
// else executed meanwhile. A leader that commits empty or other clients' slots can thus
// neither stall everyone nor censor one client.
func (r *Replica) viewChangeTick() {
	vc := &r.vc
	if r.holding() {
		// Recovered and not yet heard from its peers: the timers start once it has.
		vc.viewStart, vc.started = r.now, r.now
		return
	}
	if r.viewActive {
		// The leader does not suspect itself, and leaves its view when f+1 replicas ask for
		// a later one (viewToJoin). Timing itself out, a new leader could leave its view
		// before the backups had even received its NEW-VIEW, which under load is large.
		if r.isLeader() {
			return
		}
		since, ok := r.waiting.oldest()
		if ok && r.now-max(since, vc.viewStart) >= uint64(vc.timeout) {
			r.startViewChange(r.view + 1)
		} else if ok && r.leaderSilent(max(vc.viewStart, vc.heardLeader)) {
			r.logf("leader %s silent for %d ticks while a request waits", r.Leader(), r.now-vc.heardLeader)
			r.startViewChange(r.view + 1)
		}
		return
	}
	// PBFT's liveness rule: the NEW-VIEW timer runs only once 2f+1 replicas asked for this view
	// (or a later one); otherwise replicas whose timers drift would leapfrog each other through
	// the views. A replica that asked for a later view counts: it no longer re-sends its
	// VIEW-CHANGE for this one, so a replica that restarted (or lost that message) while the
	// others moved on would otherwise wait here for good, and with f replicas down, the 2f+1
	// others split between this view and the next are all needed.
	if r.askedAtLeast(r.view) < r.cfg.quorum() {
		vc.started = r.now
		return
	}
	if r.now-vc.started < uint64(vc.timeout) {
		return
	}
	if r.establishedByPeers(r.view) {
		// The NEW-VIEW exists and its leader answers this replica's STATUS: moving on alone
		// would strand it in a view nobody joins (docs/protocol.md, "Durability").
		vc.started = r.now
		return
	}
	r.startViewChange(r.view + 1)
}

// leaderSilent reports whether LeaderSilenceTicks (doubled like the request timer) have passed
// since tick `since`, the later of when the view started and when the leader was last heard;
// the caller asks only while a request waits. A live leader, even idle, is heard at least
// every StatusTicks (its STATUS), and under load every slot; a crashed or paused one is then
// found within LeaderSilenceTicks of its last message, or at once when a request arrives after
// that (a leader that stopped between two slots leaves no request waiting until the clients
// re-send). The request timer stays for the leader that talks but does not order
// (docs/protocol.md, "View change").
func (r *Replica) leaderSilent(since uint64) bool {
	if r.cfg.LeaderSilenceTicks <= 0 {
		return false
	}
	limit := r.cfg.LeaderSilenceTicks * r.vc.timeout / r.cfg.ViewChangeTicks
	return r.now-since >= uint64(limit)
}

// startViewChange moves to view nv and multicasts VIEW-CHANGE(nv).
func (r *Replica) startViewChange(nv View) {
	if nv <= r.view && !r.viewActive {
		return
	}
	r.view, r.viewActive = nv, false
	r.vc.prune(nv)
	r.vc.fetch = batchFetchState{}
	r.vc.started = r.now
	r.vc.consecutive++
	r.vc.timeout = min(r.timerBase()<<min(r.vc.consecutive-1, maxBackoffShift), r.cfg.ViewChangeTicks*maxTimerScale)
	r.pending.reset()
	r.collector.armed = nil
	r.persistView()
	r.logf("start view change to v=%d (timeout %d ticks)", nv, r.vc.timeout)
	r.vc.own = r.buildViewChange(nv)
	r.vc.fullSent = r.now
	r.sendViewChange(r.vc.own, r.vc.own.Slim(), true)
}

// buildViewChange reports the stable checkpoint and, for every slot above it, the best
// certificate and the fast-path vote.
func (r *Replica) buildViewChange(nv View) *ViewChange {
	m := &ViewChange{View: nv, Replica: r.cfg.ID, Stable: r.stable}
	budget := maxOBytes // batches beyond it go by digest: the new leader fetches them
	withBatch := func(b []Request) []Request {
		if n := batchSize(b); n <= budget {
			budget -= n
			return b
		}
		return nil
	}
	for _, s := range r.sortedSlots() {
		sl := r.slots[s]
		if !r.inWindow(s) {
			// Above the window are only slots learned through catch-up: this replica voted
			// and signed COMMIT only inside its window, which never moves down.
			continue
		}
		// Every certificate is reported, with its batch when this replica has it: a replica
		// that signed COMMIT must report the PREPARE-CERT it signed for (S1 in
		// docs/protocol.md), whether or not the batch ever reached it.
		switch {
		case sl.committed != nil:
			m.Prepared = append(m.Prepared, PreparedEntry{Cert: *sl.committed, Batch: withBatch(r.batchFor(sl, sl.committed.Digest))})
		case sl.prepared != nil:
			m.Prepared = append(m.Prepared, PreparedEntry{Cert: sl.prepared.Cert, Batch: withBatch(r.batchFor(sl, sl.prepared.Cert.Digest))})
		}
		if sl.vote != nil {
			v := *sl.vote
			v.Batch = r.batchFor(sl, v.Digest)
			if len(m.Prepared) > 0 && m.Prepared[len(m.Prepared)-1].Cert.Seq == s && m.Prepared[len(m.Prepared)-1].Cert.Digest == v.Digest {
				v.Batch = nil // the certificate's entry carries it (or names it)
			} else {
				v.Batch = withBatch(v.Batch)
			}
			m.Votes = append(m.Votes, v)
		}
	}
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
	if m.Replica != from || m.View < r.view || !r.wellFormedViewChange(m) {
		r.stats.RejectedMessages++
		return
	}
	if old := r.vc.stored(from, m.View); old != nil {
		if sameViewChange(old, m) && batchCount(m) > batchCount(old) {
			r.vc.store(from, m, r.view) // the full copy of a slim one kept earlier
			r.maybeSendNewView()
			return
		}
		if nv := r.vc.lastNewView; nv != nil && nv.View == m.View && from != r.cfg.ID {
			r.answerViewChangeRepeat(from, nv) // it keeps asking: it may have missed the NEW-VIEW
		}
		return
	}
	r.vc.store(from, m, r.view)
	if join := r.viewToJoin(); join > 0 {
		r.startViewChange(join)
	}
	r.maybeSendNewView()
}

// stored returns the VIEW-CHANGE for view v that replica id sent, if kept.
func (v *viewChangeState) stored(id NodeID, view View) *ViewChange {
	return v.msgs[view][id]
}

// store keeps m, and of replica id's other VIEW-CHANGEs only the one for the current view
// (the NEW-VIEW of that view may need it) and its highest above: at most two per replica, so
// a faulty replica that asks for views 2, 3, ..., k+1 costs memory and time for two (R2 in
// docs/protocol.md, "Bounds").
func (v *viewChangeState) store(id NodeID, m *ViewChange, current View) {
	if v.msgs == nil {
		v.msgs = map[View]map[NodeID]*ViewChange{}
	}
	if m.View != current {
		// Replica id's other VIEW-CHANGE above the current view, if any (at most one is kept).
		var other View
		for view, set := range v.msgs {
			if _, ok := set[id]; ok && view > current && view != m.View {
				other = view
			}
		}
		if other > m.View {
			return // a higher one is kept; this one is of no use
		}
		if other != 0 {
			delete(v.msgs[other], id)
			if len(v.msgs[other]) == 0 {
				delete(v.msgs, other)
			}
		}
	}
	set := v.msgs[m.View]
	if set == nil {
		set = map[NodeID]*ViewChange{}
		v.msgs[m.View] = set
	}
	set[id] = m
}

// prune forgets the VIEW-CHANGEs of views below current: they are never needed again.
func (v *viewChangeState) prune(current View) {
	for view := range v.msgs {
		if view < current {
			delete(v.msgs, view)
		}
	}
}

// askedAtLeast is the number of distinct replicas whose VIEW-CHANGE for view v or a later one
// is kept.
func (r *Replica) askedAtLeast(v View) int {
	seen := make(map[NodeID]bool, r.cfg.N)
	for view, set := range r.vc.msgs {
		if view < v {
			continue
		}
		for id := range set {
			seen[id] = true
		}
	}
	return len(seen)
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
			highest[id] = max(highest[id], v)
		}
	}
	views := make([]View, 0, len(highest))
	for _, v := range highest {
		views = append(views, v)
	}
	// The f+1 highest requests: joining their smallest view is joining a view that f+1
	// replicas want at least.
	v, _ := quorum.KthHighest(views, r.cfg.F+1)
	return v
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
	if missing := r.fillBatches(o, full); len(missing) > 0 {
		r.logf("cannot send NEW-VIEW(v=%d) yet: %d batches of O are missing", nv, len(missing))
		r.fetchBatches(missing)
		return
	}
	r.vc.sentNewView = nv
	r.vc.lastNewView = &NewView{View: nv, ViewChanges: vcs, PrePrepares: o}
	r.vc.newViewSent, r.vc.answered, r.vc.lagging = r.now, map[NodeID]repeatAnswer{}, nil
	r.persist(Record{Kind: RecNewView, View: nv, NewView: r.vc.lastNewView})
	r.broadcast(r.vc.lastNewView)
}

// wellFormedViewChange checks what the runtime cannot: the batches present match their
// digests (a slim copy leaves them out), and every entry lies in (stable, stable + L] of the
// sender's own stable checkpoint, below the new view, one per slot in increasing order. So a
// VIEW-CHANGE reports at most L certificates and L votes, and O stays within L slots of V's
// highest stable checkpoint whatever a faulty sender claims (R1 in docs/protocol.md,
// "Bounds"). The batches present are held to a pre-prepare's bounds (validBatch) and to
// maxOBytes in all, what an honest sender carries at most (buildViewChange): a vote names no
// certificate, so without this any batch of genuine requests, one repeated to the wire's
// limit, could ride on it (P2).
func (r *Replica) wellFormedViewChange(m *ViewChange) bool {
	lo, hi := m.Stable.Seq, m.Stable.Seq+r.cfg.Window
	total := 0
	batchOK := func(batch []Request, d Digest) bool {
		if len(batch) == 0 {
			return true
		}
		total += batchSize(batch)
		return total <= maxOBytes && r.validBatch(batch) && BatchDigest(batch) == d
	}
	last := lo
	for i := range m.Prepared {
		e := &m.Prepared[i]
		if e.Cert.Seq <= last || e.Cert.Seq > hi || e.Cert.View >= m.View || !batchOK(e.Batch, e.Cert.Digest) {
			return false
		}
		if e.Cert.Type != PrepareCert && e.Cert.Type != CommitCert && e.Cert.Type != FullCommitProof {
			return false
		}
		last = e.Cert.Seq
	}
	last = lo
	for i := range m.Votes {
		v := &m.Votes[i]
		if v.Seq <= last || v.Seq > hi || v.View >= m.View || !batchOK(v.Batch, v.Digest) {
			return false
		}
		last = v.Seq
	}
	return true
}

// maxBackoffShift caps the doubling of the view-change timeout at 2^3 times the base: enough
// to outgrow any real message delay, short enough that a cluster recovers within seconds once a
// partition heals.
const maxBackoffShift = 3

// maxTimerScale caps the view-change timeout, learned base and doubling together, at this many
// times the configured base (6.4 s with the default 400 ms): a base learned at its cap (8x,
// pace.go) doubled three times would be 64x, 25.6 s, and a cluster whose partition healed after
// a run of failed view changes would wait that long.
const maxTimerScale = 16
