package pbft

import "github.com/bftbank/pbft/pbft/quorum"

// The collector is the leader's role of SBFT: it gathers signature shares and turns them into
// certificates (docs/protocol.md, "Normal case", steps 2 and 3). Shares arrive unverified;
// combining runs in the runtime (CombineJob) and comes back as Combined. Each slot's PREPARE
// and COMMIT shares are a shareSet whose phase (collector_shares.go) says what may happen next.

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

// onPrepare adds a backup's shares (collector side of a PREPARE).
func (r *Replica) onPrepare(from NodeID, p *Prepare) {
	sl := r.collecting(p.View, p.Seq, p.Digest)
	if sl == nil {
		r.stats.RejectedMessages++
		return
	}
	ss := currentSet(&sl.prepareShares, p.View, p.Digest)
	switch {
	case ss.phase == certified:
		if !ss.bad[from] {
			r.noteSigma(ss, from, p.Sigma)
		}
		r.answerRepeat(from, sl, FullCommitProof, PrepareCert)
		return
	case ss.bad[from]:
		return
	}
	if len(p.Tau) > 0 {
		ss.tau.add(from, ss.digest, p.Tau)
	}
	if ss.voters.Add(from, ss.digest) == quorum.Added && ss.voters.Len() == r.cfg.quorum() {
		ss.quorumAt = r.now
	}
	r.noteSigma(ss, from, p.Sigma)
	r.checkPrepareQuorum(sl)
}

// noteSigma records a σ-share, also after the certificate formed, to learn how late the last
// one arrives (the adaptive fast-path wait). The n-th σ-share arrives at most once per set: a
// share is dropped only when it failed verification, and its sender is then ignored.
func (r *Replica) noteSigma(ss *shareSet, from NodeID, share []byte) {
	if len(share) == 0 || !ss.sigma.add(from, ss.digest, share) {
		return
	}
	if ss.sigma.count() == r.cfg.N && ss.voters.Len() >= r.cfg.quorum() {
		r.collector.observeLast(int(r.now-ss.quorumAt), &r.cfg)
	}
}

// checkPrepareQuorum moves a PREPARE set on: the fast path when all n σ-shares are in; at
// 2f+1 PREPAREs the fast-path wait, or the slow path if the collector skips the wait; the
// slow path's certificate when 2f+1 τ-shares are in and the wait is over.
func (r *Replica) checkPrepareQuorum(sl *slot) {
	ss := sl.prepareShares
	if ss == nil || !ss.phase.open() {
		return
	}
	if !ss.fastDead && r.collector.anySuspect(r.cfg.N, sl.seq) {
		ss.fastDead = true // a suspect's σ-share would fail the combination
	}
	if !ss.fastDead && ss.sigma.count() == r.cfg.N {
		r.combine(KeySigma, FullCommitProof, sl.seq, ss, ss.sigma)
		return
	}
	if ss.phase == gathering {
		if ss.voters.Len() < r.cfg.quorum() {
			return
		}
		if !ss.fastDead && r.cfg.FastPathTicks > 0 && r.collector.shouldWait() {
			ss.waitUntil(r.now + uint64(r.collector.wait(&r.cfg)))
			r.collector.armed = append(r.collector.armed, sl.seq)
			return
		}
	}
	if ss.waiting(r.now) {
		return
	}
	ss.phase = slowPath
	if ss.tau.count() < r.cfg.quorum() {
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
		if sl == nil || sl.prepareShares == nil || sl.prepareShares.phase == certified {
			continue
		}
		if r.now < sl.prepareShares.deadline {
			r.collector.armed = append(r.collector.armed, s)
			continue
		}
		r.checkPrepareQuorum(sl)
	}
}

// onCommit adds a COMMIT τ-share (collector side of a COMMIT).
func (r *Replica) onCommit(from NodeID, c *Commit) {
	sl := r.collecting(c.View, c.Seq, c.Digest)
	if sl == nil || len(c.Tau) == 0 {
		r.stats.RejectedMessages++
		return
	}
	ss := currentSet(&sl.commitShares, c.View, c.Digest)
	switch {
	case ss.phase == certified:
		r.answerRepeat(from, sl, CommitCert)
		return
	case ss.bad[from]:
		return
	}
	ss.tau.add(from, ss.digest, c.Tau)
	if ss.phase == gathering && ss.tau.count() >= r.cfg.quorum() {
		r.combine(KeyTau, CommitCert, sl.seq, ss, ss.tau)
	}
}

// combine emits a CombineJob with the shares in replica order, suspects last (deterministic):
// the runtime combines the first shares it needs. The set waits for its outcome.
func (r *Replica) combine(key KeyKind, kind CertKind, s Seq, ss *shareSet, from shares) {
	ss.phase = combining
	job := CombineJob{Key: key, Cert: kind, View: ss.view, Seq: s, Digest: ss.digest}
	for _, last := range []bool{false, true} {
		for id := NodeID(1); int(id) <= r.cfg.N; id++ {
			if sh, ok := from.sig[id]; ok && r.collector.suspected(id, s) == last {
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
	if ss == nil || ss.phase == certified {
		return
	}
	r.noteBadShares(m, func(id NodeID) {
		ss.bad[id] = true
		ss.tau.drop(id)
		ss.sigma.drop(id)
	})
	if len(m.Sig) == 0 {
		r.combineFailed(sl, ss, m.Job)
		return
	}
	ss.phase = certified
	if m.Job.Cert == FullCommitProof {
		r.collector.slowStreak = 0
	}
	cert := &Cert{Type: m.Job.Cert, View: m.Job.View, Seq: m.Job.Seq, Digest: m.Job.Digest, Sig: m.Sig}
	sl.formed[cert.Type] = cert
	r.broadcast(cert)
}

// combineFailed moves a set whose combination failed (its bad shares dropped) back to where
// shares can certify it: a PREPARE set to the slow path (for good after a failed fast path),
// a COMMIT set to gathering.
func (r *Replica) combineFailed(sl *slot, ss *shareSet, job CombineJob) {
	switch job.Cert {
	case FullCommitProof:
		ss.phase, ss.fastDead = slowPath, true
		r.checkPrepareQuorum(sl)
	case PrepareCert:
		ss.phase = slowPath
		r.checkPrepareQuorum(sl)
	case CommitCert:
		ss.phase = gathering
		if ss.tau.count() >= r.cfg.quorum() {
			r.combine(KeyTau, CommitCert, sl.seq, ss, ss.tau)
		}
	}
}
