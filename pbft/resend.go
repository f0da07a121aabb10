package pbft

// Retransmission. The network may drop any message, so every replica re-sends its part of a
// slot that has not progressed for ResendTicks: a backup its PREPARE or COMMIT, the leader its
// pre-prepare; a collector answers a repeated share with the certificate it already formed;
// a replica in a view change re-sends its VIEW-CHANGE, and the new leader answers a repeated
// VIEW-CHANGE with its NEW-VIEW.

func (r *Replica) resendTick() {
	if r.now-r.lastResend < uint64(r.cfg.ResendTicks) {
		return
	}
	r.lastResend = r.now
	if !r.viewActive {
		if r.vc.own != nil && r.vc.own.View == r.view {
			r.broadcast(r.vc.own)
		}
		return
	}
	leader := r.Leader()
	for s := r.executed + 1; s <= r.stable.Seq+r.cfg.Window; s++ {
		sl := r.slots[s]
		if sl == nil || sl.pp == nil || sl.pp.View != r.view || sl.committed != nil ||
			r.now-sl.since < uint64(r.cfg.ResendTicks) {
			continue
		}
		if r.isLeader() {
			r.broadcast(sl.pp)
		}
		if sl.sentCommit == r.view {
			r.send(leader, &Commit{View: r.view, Seq: s, Digest: sl.pp.Digest})
		} else {
			r.send(leader, &Prepare{View: r.view, Seq: s, Digest: sl.pp.Digest})
		}
	}
}

// answerRepeat sends a replica that repeats a share the certificate that already exists.
func (r *Replica) answerRepeat(to NodeID, sl *slot, kinds ...CertKind) {
	for _, k := range kinds {
		if c := sl.formed[k]; c != nil && c.View == r.view {
			r.send(to, c)
			return
		}
	}
}
