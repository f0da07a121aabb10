package pbft

// execute runs committed batches strictly in slot order (docs/protocol.md, "Normal case" step 6)
// and replies to clients. A request whose timestamp is not newer than the client's last executed
// one is a duplicate (a request ordered twice, e.g. across a view change) and is skipped: exactly
// once.
func (r *Replica) execute() {
	for {
		sl := r.slots[r.executed+1]
		if sl == nil || sl.committed == nil || (sl.batch == nil && sl.committed.Digest != noopDigest) {
			return
		}
		r.executeSlot(sl)
	}
}

func (r *Replica) executeSlot(sl *slot) {
	n := 0
	for i := range sl.batch {
		req := &sl.batch[i]
		if e := r.clients.get(req.Client); e != nil && req.Timestamp <= e.T {
			continue
		}
		result := r.cfg.App.Execute(req.Client, req.Op)
		op := OpDigest(req.Op)
		r.clients.set(req.Client, req.Timestamp, op, result, sl.seq)
		r.waiting.executed(req.Client, req.Timestamp)
		r.pending.executed(req.Client, req.Timestamp)
		r.reply(req.Client, req.Timestamp, op, result, sl.seq, false)
		r.stats.ExecutedRequests++
		n++
	}
	r.out.Executed = append(r.out.Executed, ExecutedSlot{
		Seq: sl.seq, Digest: sl.committed.Digest, Requests: n, Fast: sl.committed.Type == FullCommitProof,
	})
	r.persist(Record{Kind: RecExecuted, View: sl.committed.View, Seq: sl.seq, Digest: sl.committed.Digest,
		Cert: sl.committed, Batch: sl.batch})
	r.executed = sl.seq
	sl.status = StatusExecuted
	r.stats.ExecutedSlots++
	r.observePace(sl)
	if n > 0 {
		r.vc.progress(r.now, r.timerBase())
	}
	r.logf("s=%d executed %d reqs d=%s", sl.seq, len(sl.batch), sl.committed.Digest)
	if r.executed%r.cfg.CheckpointInterval == 0 {
		r.takeCheckpoint()
	}
}
