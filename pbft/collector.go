package pbft

// The collector is the leader's role of SBFT: it gathers signature shares and turns them into
// certificates (SPEC 3.3 steps 4 and 5). Shares arrive unverified; combining runs in the
// runtime (CombineJob) and comes back as Combined.

// collectorState is the adaptive fast-path window (SPEC 3.3 step 7) and the slots whose
// fast-path wait is armed.
type collectorState struct {
	armed      []Seq // slots waiting for all n σ-shares, in arming order
	slowStreak int   // consecutive slots that fell back to the slow path
	sinceProbe int   // slots since the collector last paid the wait while skipping it
	window     int   // the current fast-path wait in ticks (0: FastPathTicks)
	// suspects are replicas whose share failed verification, with the slot where it did. For
	// probeEvery slots after that their shares are combined last (so that 2f+1 good shares
	// combine at the first try) and the fast path, which needs every share, is not tried.
	suspects map[NodeID]Seq
}

// After slowStreakLimit consecutive fallbacks the collector stops waiting for the σ-shares
// of an absent replica, and waits again only on one slot in probeEvery, to notice its return.
const (
	slowStreakLimit = 2
	probeEvery      = 16
)

// shouldWait decides whether the collector pays the fast-path wait for the next slot.
func (c *collectorState) shouldWait() bool {
	if c.slowStreak < slowStreakLimit {
		return true
	}
	c.sinceProbe++
	if c.sinceProbe >= probeEvery {
		c.sinceProbe = 0
		return true
	}
	return false
}

// expectSlow reports whether the collector expects slot s to take the slow path, and so asks
// for τ-shares with the pre-prepare: without the fast-path wait (FastPathTicks 0), while an
// absent replica keeps it on the slow path (probes included: a probe that fails then costs no
// extra round), or while a replica is suspected of bad shares. Otherwise backups send their
// σ-share only, and the collector asks for τ-shares when the fast path fails (askTau): each
// replica then saves a τ-share signature (a scalar multiplication in G1) on almost every slot.
func (c *collectorState) expectSlow(cfg *Config, s Seq) bool {
	return cfg.FastPathTicks == 0 || c.slowStreak >= slowStreakLimit || c.anySuspect(cfg.N, s)
}

// wait is the fast-path wait for the next slot: FastPathTicks, or longer while the last
// σ-shares have been arriving late.
func (c *collectorState) wait(cfg *Config) int {
	return max(c.window, cfg.FastPathTicks)
}

// observeLast adapts the wait to a slot whose last σ-share arrived late ticks after the
// τ-quorum. A replica whose share arrives at all is slow, not absent: the collector resets the
// fallback streak (so it waits again), lengthens the wait at once to twice such a delay, up
// to MaxFastPathTicks, and shortens it slowly (1/16 of the gap per slot) when shares come
// back earlier. The fast path saves
// a whole round (COMMIT shares, a second combination and a second certificate check on every
// replica), which is worth a few ticks of waiting.
func (c *collectorState) observeLast(late int, cfg *Config) {
	if cfg.FastPathTicks == 0 {
		return
	}
	c.slowStreak = 0
	limit := cfg.MaxFastPathTicks
	if limit == 0 {
		limit = 10 * cfg.FastPathTicks
	}
	target := 2*late + 1
	cur := c.wait(cfg)
	if target > cur {
		c.window = min(limit, target)
		return
	}
	c.window = max(cfg.FastPathTicks, cur-(cur-target+15)/16)
}

// suspect records that replica id gave a bad share for slot s.
func (c *collectorState) suspect(id NodeID, s Seq) {
	if c.suspects == nil {
		c.suspects = map[NodeID]Seq{}
	}
	c.suspects[id] = max(c.suspects[id], s)
}

// suspected reports whether id gave a bad share in the probeEvery slots before s.
func (c *collectorState) suspected(id NodeID, s Seq) bool {
	last, ok := c.suspects[id]
	return ok && s <= last+probeEvery
}

// anySuspect reports whether some replica is suspected at slot s.
func (c *collectorState) anySuspect(n int, s Seq) bool {
	for id := NodeID(1); int(id) <= n; id++ {
		if c.suspected(id, s) {
			return true
		}
	}
	return false
}

// shareSet holds the shares the collector received for one slot and phase.
type shareSet struct {
	view   View
	digest Digest
	tau    map[NodeID][]byte
	sigma  map[NodeID][]byte
	bad    map[NodeID]bool // replicas whose share failed verification

	voters    map[NodeID]bool // replicas whose PREPARE arrived (with a τ-share or not)
	deadline  uint64          // fast-path wait ends at this tick (0 = not armed)
	quorumAt  uint64          // tick at which 2f+1 PREPAREs were in (valid when quorum is set)
	quorum    bool
	tauAsked  bool // the collector sent the pre-prepare again to ask for τ-shares
	allSigma  bool // all n σ-shares arrived (possibly after the certificate)
	tauJob    bool // a τ combination is running
	sigmaJob  bool // a σ combination is running
	sigmaDead bool // the fast path failed for this slot
	done      bool // the certificate of this phase was formed
}

func newShareSet(v View, d Digest) *shareSet {
	return &shareSet{view: v, digest: d, tau: map[NodeID][]byte{}, sigma: map[NodeID][]byte{},
		bad: map[NodeID]bool{}, voters: map[NodeID]bool{}}
}

// collecting returns the slot if this replica collects for (v, s, d): it leads v and proposed d.
func (r *Replica) collecting(v View, s Seq, d Digest) *slot {
	if !r.viewActive || v != r.view || !r.isLeader() {
		return nil
	}
	sl := r.slots[s]
	if sl == nil || sl.pp == nil || sl.pp.View != v || sl.pp.Digest != d {
		return nil
	}
	return sl
}

// onPrepare adds a backup's shares (SPEC 3.3 step 3, collector side).
func (r *Replica) onPrepare(from NodeID, p *Prepare) {
	sl := r.collecting(p.View, p.Seq, p.Digest)
	if sl == nil {
		r.stats.RejectedMessages++
		return
	}
	if sl.prepareShares == nil || sl.prepareShares.view != p.View {
		sl.prepareShares = newShareSet(p.View, p.Digest)
	}
	ss := sl.prepareShares
	if ss.done {
		if !ss.bad[from] {
			r.noteSigma(ss, from, p.Sigma)
		}
		r.answerRepeat(from, sl, FullCommitProof, PrepareCert)
		return
	}
	if ss.bad[from] {
		return
	}
	if _, dup := ss.tau[from]; !dup && len(p.Tau) > 0 {
		ss.tau[from] = p.Tau
	}
	ss.voters[from] = true
	if !ss.quorum && len(ss.voters) >= r.cfg.quorum() {
		ss.quorum, ss.quorumAt = true, r.now
	}
	r.noteSigma(ss, from, p.Sigma)
	r.checkPrepareQuorum(sl)
}

// noteSigma records a σ-share, also after the certificate formed, to learn how late the last
// one arrives (the adaptive fast-path wait).
func (r *Replica) noteSigma(ss *shareSet, from NodeID, share []byte) {
	if _, dup := ss.sigma[from]; dup || len(share) == 0 {
		return
	}
	ss.sigma[from] = share
	if len(ss.sigma) == r.cfg.N && ss.quorum && !ss.allSigma {
		ss.allSigma = true
		r.collector.observeLast(int(r.now-ss.quorumAt), &r.cfg)
	}
}

// checkPrepareQuorum starts the fast path when all n σ-shares are in, or the slow path when
// 2f+1 τ-shares are in and the fast-path wait is over (or skipped).
func (r *Replica) checkPrepareQuorum(sl *slot) {
	ss := sl.prepareShares
	if ss == nil || ss.done || ss.tauJob || ss.sigmaJob {
		return
	}
	if !ss.sigmaDead && r.collector.anySuspect(r.cfg.N, sl.seq) {
		ss.sigmaDead = true // a suspect's σ-share would fail the combination
	}
	if !ss.sigmaDead && len(ss.sigma) == r.cfg.N {
		ss.sigmaJob = true
		r.combine(KeySigma, FullCommitProof, sl.seq, ss, ss.sigma)
		return
	}
	if !ss.quorum {
		return
	}
	if !ss.sigmaDead && ss.deadline == 0 && r.cfg.FastPathTicks > 0 && r.collector.shouldWait() {
		ss.deadline = r.now + uint64(r.collector.wait(&r.cfg))
		r.collector.armed = append(r.collector.armed, sl.seq)
		return
	}
	if ss.deadline != 0 && r.now < ss.deadline && !ss.sigmaDead {
		return
	}
	if len(ss.tau) < r.cfg.quorum() {
		if !ss.tauAsked {
			ss.tauAsked = true
			r.askTau(sl)
		}
		return
	}
	if ss.deadline != 0 {
		r.stats.WaitedSlots++
	}
	r.collector.slowStreak++
	ss.tauJob = true
	r.combine(KeyTau, PrepareCert, sl.seq, ss, ss.tau)
}

// askTau sends the slot's pre-prepare again with WantTau set: the fast path failed, and the
// backups sent their σ-shares only. Those that already sent a τ-share ignore it.
func (r *Replica) askTau(sl *slot) {
	pp := *sl.pp
	pp.WantTau = true
	sl.pp = &pp // a re-sent stalled slot asks again too
	r.stats.TauAsked++
	r.broadcast(&pp)
}

// collectorTick ends the fast-path waits that expired.
func (r *Replica) collectorTick() {
	armed := r.collector.armed
	if len(armed) == 0 {
		return
	}
	r.collector.armed = armed[:0:0]
	for _, s := range armed {
		sl := r.slots[s]
		if sl == nil || sl.prepareShares == nil || sl.prepareShares.done {
			continue
		}
		if r.now < sl.prepareShares.deadline {
			r.collector.armed = append(r.collector.armed, s)
			continue
		}
		r.checkPrepareQuorum(sl)
	}
}

// onCommit adds a COMMIT τ-share (SPEC 3.3 step 5, collector side).
func (r *Replica) onCommit(from NodeID, c *Commit) {
	sl := r.collecting(c.View, c.Seq, c.Digest)
	if sl == nil || len(c.Tau) == 0 {
		r.stats.RejectedMessages++
		return
	}
	if sl.commitShares == nil || sl.commitShares.view != c.View {
		sl.commitShares = newShareSet(c.View, c.Digest)
	}
	ss := sl.commitShares
	if ss.done {
		r.answerRepeat(from, sl, CommitCert)
		return
	}
	if ss.bad[from] {
		return
	}
	if _, dup := ss.tau[from]; !dup {
		ss.tau[from] = c.Tau
	}
	if !ss.tauJob && len(ss.tau) >= r.cfg.quorum() {
		ss.tauJob = true
		r.combine(KeyTau, CommitCert, sl.seq, ss, ss.tau)
	}
}

// combine emits a CombineJob with the shares in replica order, suspects last (deterministic):
// the runtime combines the first shares it needs.
func (r *Replica) combine(key KeyKind, kind CertKind, s Seq, ss *shareSet, shares map[NodeID][]byte) {
	job := CombineJob{Key: key, Cert: kind, View: ss.view, Seq: s, Digest: ss.digest}
	for _, last := range []bool{false, true} {
		for id := NodeID(1); int(id) <= r.cfg.N; id++ {
			if sh, ok := shares[id]; ok && r.collector.suspected(id, s) == last {
				job.Shares = append(job.Shares, Share{From: id, Sig: sh})
			}
		}
	}
	r.out.CombineJobs = append(r.out.CombineJobs, job)
}

// onCombined receives the outcome of a CombineJob.
func (r *Replica) onCombined(m *Combined) {
	if m.Job.Checkpoint {
		r.onCheckpointCombined(m)
		return
	}
	sl := r.collecting(m.Job.View, m.Job.Seq, m.Job.Digest)
	if sl == nil {
		return
	}
	ss := sl.prepareShares
	if m.Job.Cert == CommitCert {
		ss = sl.commitShares
	}
	if ss == nil || ss.done {
		return
	}
	r.stats.BadShares += uint64(len(m.Bad))
	for _, id := range m.Bad {
		r.collector.suspect(id, m.Job.Seq)
		ss.bad[id] = true
		delete(ss.tau, id)
		delete(ss.sigma, id)
	}
	if len(m.Sig) == 0 {
		r.combineFailed(sl, ss, m.Job)
		return
	}
	ss.done = true
	if m.Job.Cert == FullCommitProof {
		r.collector.slowStreak = 0
	}
	cert := &Cert{Type: m.Job.Cert, View: m.Job.View, Seq: m.Job.Seq, Digest: m.Job.Digest, Sig: m.Sig}
	sl.formed[cert.Type] = cert
	r.broadcast(cert)
}

func (r *Replica) combineFailed(sl *slot, ss *shareSet, job CombineJob) {
	switch job.Cert {
	case FullCommitProof:
		ss.sigmaJob, ss.sigmaDead = false, true
		r.checkPrepareQuorum(sl)
	case PrepareCert:
		ss.tauJob = false
		r.checkPrepareQuorum(sl)
	case CommitCert:
		ss.tauJob = false
		if len(ss.tau) >= r.cfg.quorum() {
			ss.tauJob = true
			r.combine(KeyTau, CommitCert, sl.seq, ss, ss.tau)
		}
	}
}
