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
	r.resendCheckpoints()
	if !r.viewActive {
		r.resendViewChange()
		r.maybeSendNewView() // a batch of O may have been missing
		return
	}
	leader := r.Leader()
	for s := r.executed + 1; s <= r.stable.Seq+r.cfg.Window; s++ {
		sl := r.slots[s]
		if sl == nil || sl.committed != nil || r.now-sl.since < uint64(r.cfg.ResendTicks) {
			continue
		}
		hasPP := sl.pp != nil && sl.pp.View == r.view
		if hasPP && r.isLeader() {
			r.broadcast(sl.pp)
		}
		switch {
		case sl.sentCommit == r.view:
			// The COMMIT it signed, for its PREPARE-CERT's digest: the pre-prepare it holds
			// may be missing (the certificate came without the batch) or carry another digest
			// (a faulty leader's second pre-prepare), and a COMMIT for that would be a second
			// share for one (view, slot).
			r.send(leader, &Commit{View: r.view, Seq: s, Digest: sl.commitFor})
		case hasPP:
			r.sendPrepare(sl, false)
		}
	}
}

// resendViewChange re-sends this replica's VIEW-CHANGE while the view change lasts: the slim
// copy (small) every ResendTicks to every replica but the new leader, which answers a repeat
// with its NEW-VIEW; the full message to the new leader only every half view-change timeout,
// since it may be large and TCP loses it only on a reconnect or a full queue.
func (r *Replica) resendViewChange() {
	own := r.vc.own
	if own == nil || own.View != r.view {
		return
	}
	slim, toLeader := own.Slim(), own
	if r.now-r.vc.fullSent >= uint64(max(r.cfg.ResendTicks, r.vc.timeout/2)) {
		r.vc.fullSent = r.now
	} else {
		toLeader = slim
	}
	r.sendViewChange(toLeader, slim, false)
}

// repeatAnswer is when the new leader last answered a replica's repeated VIEW-CHANGE with its
// NEW-VIEW, and how long it waits before it answers again.
type repeatAnswer struct {
	at  uint64
	gap uint64
}

// answerViewChangeRepeat re-sends the NEW-VIEW to a replica that repeats its VIEW-CHANGE, with
// a gap that starts at the view-change timeout and doubles per answer: a large NEW-VIEW on a
// busy link takes a while to arrive, and sending it again at every repeat would only queue
// more copies in front of the first.
func (r *Replica) answerViewChangeRepeat(to NodeID, nv *NewView) {
	a, ok := r.vc.answered[to]
	if !ok {
		a = repeatAnswer{at: r.vc.newViewSent, gap: uint64(r.cfg.ViewChangeTicks)} // the broadcast
	}
	if r.now-a.at < a.gap {
		return
	}
	r.vc.answered[to] = repeatAnswer{at: r.now, gap: 2 * a.gap}
	r.send(to, nv)
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
