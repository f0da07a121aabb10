package pbft

import "slices"

// Fetching the batches of O. A VIEW-CHANGE reports a certificate by digest when its sender
// never received the batch (it must report every certificate it signed COMMIT for), and a
// slim copy carries no batch at all. When none of the VIEW-CHANGEs the new leader uses, nor
// its own log, holds the batch of a value O must carry, it asks every peer for it with
// FETCH-BATCH (slot, digest). The value was certified or voted by at least one honest replica,
// which received the batch; any peer may answer, since the reply is checked against the
// digest, which covers every client signature.

// batchFetchState is the new leader's outstanding batch requests and what came back. Both
// maps hold at most Window entries: only the slots of O (at most L) are ever wanted, and a
// reply is kept only if it was wanted.
type batchFetchState struct {
	wanted  map[Digest]Seq
	fetched batchPool
	asked   uint64 // tick of the last FETCH-BATCH broadcast
}

// servedBatches bounds what a peer can make this replica send through FETCH-BATCH: at most
// one window's worth of batches per peer per ResendTicks (R5 in docs/protocol.md, "Bounds").
type servedBatches struct {
	period uint64
	count  map[NodeID]int
}

// fetchBatches asks every peer for the batches of O that the leader lacks, again at most
// every ResendTicks.
func (r *Replica) fetchBatches(missing []PrePrepare) {
	f := &r.vc.fetch
	if f.wanted == nil {
		f.wanted = map[Digest]Seq{}
	}
	fresh := false
	for i := range missing {
		if _, ok := f.wanted[missing[i].Digest]; !ok && len(f.wanted) < int(r.cfg.Window) {
			f.wanted[missing[i].Digest] = missing[i].Seq
			fresh = true
		}
	}
	if !fresh && r.now-f.asked < uint64(r.cfg.ResendTicks) {
		return
	}
	f.asked = r.now
	for i := range missing {
		if _, ok := f.wanted[missing[i].Digest]; ok {
			r.sendToPeers(&FetchBatch{Seq: missing[i].Seq, Digest: missing[i].Digest})
		}
	}
}

// sendToPeers sends m to every replica but this one.
func (r *Replica) sendToPeers(m Message) {
	for id := NodeID(1); int(id) <= r.cfg.N; id++ {
		if id != r.cfg.ID {
			r.send(id, m)
		}
	}
}

// onFetchBatch answers with the batch if this replica has it, in its log or in the
// VIEW-CHANGEs it keeps, within the per-peer budget.
func (r *Replica) onFetchBatch(from NodeID, m *FetchBatch) {
	if from == r.cfg.ID || m.Digest == noopDigest || !r.serveBatch(from) {
		return
	}
	var batch []Request
	if sl := r.slots[m.Seq]; sl != nil {
		batch = r.batchFor(sl, m.Digest)
	}
	if batch == nil {
		batch = r.keptBatch(m.Digest)
	}
	if batch != nil {
		r.send(from, &BatchReply{Seq: m.Seq, Digest: m.Digest, Batch: batch})
	}
}

// serveBatch charges one reply to peer `from`; false when its budget for this period is spent.
func (r *Replica) serveBatch(from NodeID) bool {
	s := &r.vc.served
	if s.count == nil || r.now-s.period >= uint64(r.cfg.ResendTicks) {
		s.period, s.count = r.now, map[NodeID]int{}
	}
	if s.count[from] >= int(r.cfg.Window) {
		r.stats.Throttled++
		return false
	}
	s.count[from]++
	return true
}

// onBatchReply keeps a batch the leader asked for and tries the NEW-VIEW again.
func (r *Replica) onBatchReply(from NodeID, m *BatchReply) {
	f := &r.vc.fetch
	s, ok := f.wanted[m.Digest]
	if !ok || s != m.Seq || len(m.Batch) == 0 || BatchDigest(m.Batch) != m.Digest {
		r.stats.RejectedMessages++
		return
	}
	delete(f.wanted, m.Digest)
	if f.fetched == nil {
		f.fetched = batchPool{}
	}
	f.fetched[m.Digest] = m.Batch
	r.maybeSendNewView()
}

// keptBatch returns the batch with digest d from the VIEW-CHANGEs kept, looked up in view and
// replica order (any copy matches d, so the order only keeps the lookup deterministic).
func (r *Replica) keptBatch(d Digest) []Request {
	views := make([]View, 0, len(r.vc.msgs))
	for view := range r.vc.msgs {
		views = append(views, view)
	}
	slices.Sort(views)
	for _, view := range views {
		for id := NodeID(1); int(id) <= r.cfg.N; id++ {
			if vc := r.vc.msgs[view][id]; vc != nil {
				p := batchPool{}
				p.add(vc)
				if b, ok := p[d]; ok {
					return b
				}
			}
		}
	}
	return nil
}
