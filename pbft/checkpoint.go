package pbft

import (
	"slices"

	"github.com/bftbank/pbft/pbft/quorum"
)

// Checkpoints (docs/protocol.md, "Checkpoints and catch-up"): every K executed slots a replica
// multicasts CHECKPOINT(s, state digest) with a τ-share; 2f+1 matching shares combine into a
// constant-size certificate that makes the checkpoint stable, moves the low watermark and lets the
// replica discard the log.

// ownCheckpoint is a replica's own state at a checkpoint it took, kept until it is stable.
type ownCheckpoint struct {
	state    Digest
	snapshot *frozenState
	sent     uint64 // tick its share was last broadcast (resendCheckpoints)
}

// checkpointVotes gathers the shares for one checkpoint slot: one state digest and share per
// replica (a second share of a replica for the same slot is ignored, whatever its digest), so
// the shares kept are bounded by n per checkpoint slot, and the slots by the 4L/K checkpoints
// above the stable one that are accepted (R3 in docs/protocol.md, "Bounds").
type checkpointVotes struct {
	votes  *quorum.Votes[NodeID, Digest]
	shares map[NodeID][]byte
	bad    map[NodeID]bool
	job    bool
}

// aheadCheckpoints is what each replica claimed, in checkpoint shares too far ahead to keep,
// as its highest checkpoint: the replica catches up only to what f+1 of them (one honest)
// claim, so one faulty replica cannot send it fetching a far slot (R5).
type aheadCheckpoints map[NodeID]Seq

func (r *Replica) takeCheckpoint() {
	s := r.executed
	own := ownCheckpoint{state: r.stateDigest(), snapshot: r.freezeState(), sent: r.now}
	r.ownCkpt[s] = own
	r.logf("s=%d checkpoint state=%s", s, own.state)
	r.broadcast(&Checkpoint{Seq: s, State: own.state})
	if c := r.checkpoints[s]; c != nil {
		r.tryCombineCheckpoint(s, own.state)
	}
}

// onCheckpoint collects a checkpoint share. A replica combines only checkpoints it reached
// itself; shares for a state ahead of it tell it that it is behind.
func (r *Replica) onCheckpoint(from NodeID, m *Checkpoint) {
	if m.Seq <= r.stable.Seq || len(m.Share) == 0 || m.Seq%r.cfg.CheckpointInterval != 0 {
		return
	}
	if m.Seq > r.stable.Seq+4*r.cfg.Window {
		r.noteFarCheckpoint(from, m.Seq)
		return
	}
	c := r.checkpoints[m.Seq]
	if c == nil {
		c = &checkpointVotes{votes: quorum.NewVotes[NodeID, Digest](), shares: map[NodeID][]byte{}, bad: map[NodeID]bool{}}
		r.checkpoints[m.Seq] = c
	}
	if c.bad[from] || c.votes.Add(from, m.State) != quorum.Added {
		return
	}
	c.shares[from] = m.Share
	if m.Seq > r.executed && c.votes.Count(m.State) >= r.cfg.F+1 {
		r.noteAhead(m.Seq)
	}
	r.tryCombineCheckpoint(m.Seq, m.State)
}

// noteFarCheckpoint records a replica's claim of a checkpoint beyond what is kept, and
// catches up to the highest one that f+1 replicas claim at least.
func (r *Replica) noteFarCheckpoint(from NodeID, s Seq) {
	if r.ahead == nil {
		r.ahead = aheadCheckpoints{}
	}
	r.ahead[from] = max(r.ahead[from], s)
	claims := make([]Seq, 0, len(r.ahead))
	for _, c := range r.ahead {
		claims = append(claims, c)
	}
	if vouched, ok := quorum.KthHighest(claims, r.cfg.F+1); ok && vouched > r.executed {
		r.noteAhead(vouched)
	}
}

// tryCombineCheckpoint asks for a certificate once 2f+1 shares match this replica's own state.
func (r *Replica) tryCombineCheckpoint(s Seq, state Digest) {
	own, ok := r.ownCkpt[s]
	c := r.checkpoints[s]
	if !ok || own.state != state || c == nil || c.job || c.votes.Count(state) < r.cfg.quorum() {
		return
	}
	c.job = true
	job := CombineJob{Key: KeyTau, Checkpoint: true, Seq: s, Digest: state}
	for _, last := range []bool{false, true} { // suspects (bad shares lately) last
		for id := NodeID(1); int(id) <= r.cfg.N; id++ {
			if d, ok := c.votes.Vote(id); ok && d == state && r.collector.suspected(id, s) == last {
				job.Shares = append(job.Shares, Share{From: id, Sig: c.shares[id]})
			}
		}
	}
	r.out.CombineJobs = append(r.out.CombineJobs, job)
}

func (r *Replica) onCheckpointCombined(m *Combined) {
	c := r.checkpoints[m.Job.Seq]
	if c == nil {
		return
	}
	r.noteBadShares(m, func(id NodeID) {
		c.bad[id] = true
		c.votes.Remove(id)
		delete(c.shares, id)
	})
	c.job = false
	if len(m.Sig) == 0 {
		r.tryCombineCheckpoint(m.Job.Seq, m.Job.Digest)
		return
	}
	cert := &CheckpointCert{Seq: m.Job.Seq, State: m.Job.Digest, Sig: m.Sig}
	r.broadcast(cert) // lets replicas that missed shares (or are behind) learn it
	r.makeStable(cert)
}

// onCheckpointCert handles a verified checkpoint certificate from a peer.
func (r *Replica) onCheckpointCert(m *CheckpointCert) {
	if m.Seq <= r.stable.Seq {
		return
	}
	if own, ok := r.ownCkpt[m.Seq]; ok && own.state == m.State {
		r.makeStable(m)
		return
	}
	if m.Seq > r.executed {
		r.noteAhead(m.Seq)
	}
}

// makeStable moves the low watermark to a checkpoint this replica reached, and discards the
// protocol state at or below it.
func (r *Replica) makeStable(cert *CheckpointCert) {
	own, ok := r.ownCkpt[cert.Seq]
	if cert.Seq <= r.stable.Seq || !ok || own.state != cert.State {
		return
	}
	r.stable = *cert
	r.snapshot = own.snapshot
	stable := *cert
	r.persist(Record{Kind: RecStable, Seq: cert.Seq, Stable: &stable})
	r.offerCheckpoint(false)
	r.logf("s=%d checkpoint stable state=%s", cert.Seq, cert.State)
	r.garbageCollect()
	r.acceptDeferred()
	r.tryPropose()
}

func (r *Replica) garbageCollect() {
	h := r.stable.Seq
	for s := range r.slots {
		if s <= h {
			delete(r.slots, s)
		}
	}
	for s := range r.checkpoints {
		if s <= h {
			delete(r.checkpoints, s)
		}
	}
	for s := range r.ownCkpt {
		if s <= h {
			delete(r.ownCkpt, s)
		}
	}
	for id, s := range r.ahead {
		if s <= h {
			delete(r.ahead, id)
		}
	}
}

// resendCheckpoints re-broadcasts the share of every own checkpoint above the stable one that
// has not become stable within ResendTicks of its last broadcast. Shares are otherwise sent
// once, when the checkpoint is taken: lost ones, and the ones of checkpoints a restarted
// replica took again while replaying (Recover sends nothing it produced then), left the
// checkpoint unstable; once every replica had restarted past its last stable checkpoint
// (a power cut), none was ever stable again, the window stayed full and the cluster stalled,
// changing view for good (docs/protocol.md, "Checkpoints and catch-up").
func (r *Replica) resendCheckpoints() {
	var due []Seq
	for s, own := range r.ownCkpt {
		if s > r.stable.Seq && r.now-own.sent >= uint64(r.cfg.ResendTicks) {
			due = append(due, s)
		}
	}
	slices.Sort(due) // in order: the run stays deterministic
	for _, s := range due {
		own := r.ownCkpt[s]
		own.sent = r.now
		r.ownCkpt[s] = own
		r.broadcast(&Checkpoint{Seq: s, State: own.state})
	}
}
