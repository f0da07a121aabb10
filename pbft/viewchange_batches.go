package pbft

// Batches in the view change. A VIEW-CHANGE names every batch it reports by digest; only the
// new leader, who builds O, needs the batches themselves. So a replica sends its full
// VIEW-CHANGE to the new leader alone and a slim copy (every batch left out) to the others,
// and a NEW-VIEW carries slim copies beside O, whose pre-prepares hold the batches. The
// signature covers the slim form, so a slim copy verifies as the full message does.
//
// Without this a NEW-VIEW carried every batch 2f+1 times over (and each VIEW-CHANGE twice,
// once as a certificate and once as a vote): tens of MB under load with a checkpoint every
// 64 or 128 slots, which took seconds to arrive.

// Slim returns a copy of m with every batch left out. The copy shares nothing mutable with m
// but the certificates' signature bytes, which are never written.
func (m *ViewChange) Slim() *ViewChange {
	c := *m
	c.Prepared = make([]PreparedEntry, len(m.Prepared))
	for i := range m.Prepared {
		c.Prepared[i] = PreparedEntry{Cert: m.Prepared[i].Cert}
	}
	c.Votes = make([]VoteEntry, len(m.Votes))
	for i := range m.Votes {
		v := m.Votes[i]
		v.Batch = nil
		c.Votes[i] = v
	}
	return &c
}

// batchPool maps digests to the batches that VIEW-CHANGE messages carry. Entries of
// well-formed messages (wellFormedViewChange) carry a batch that matches their digest, or
// none.
type batchPool map[Digest][]Request

// add puts the batches of m into the pool.
func (p batchPool) add(m *ViewChange) {
	for i := range m.Prepared {
		if e := &m.Prepared[i]; len(e.Batch) > 0 {
			p[e.Cert.Digest] = e.Batch
		}
	}
	for i := range m.Votes {
		if v := &m.Votes[i]; len(v.Batch) > 0 {
			p[v.Digest] = v.Batch
		}
	}
}

// get returns the batch with digest d: the no-op's is empty.
func (p batchPool) get(d Digest) ([]Request, bool) {
	if d == noopDigest {
		return nil, true
	}
	b, ok := p[d]
	return b, ok
}

// carriesBatches reports whether m holds the batch of every digest it names: what the new
// leader needs from each VIEW-CHANGE it may use to build O.
func carriesBatches(m *ViewChange) bool {
	p := batchPool{}
	p.add(m)
	for i := range m.Prepared {
		if _, ok := p.get(m.Prepared[i].Cert.Digest); !ok {
			return false
		}
	}
	for i := range m.Votes {
		if _, ok := p.get(m.Votes[i].Digest); !ok {
			return false
		}
	}
	return true
}

// dropRepeatedBatches leaves out a vote's batch when the certificate for the same slot
// already carries it, so that a full VIEW-CHANGE holds each batch once.
func dropRepeatedBatches(m *ViewChange) {
	certified := map[Seq]Digest{}
	for i := range m.Prepared {
		if e := &m.Prepared[i]; len(e.Batch) > 0 {
			certified[e.Cert.Seq] = e.Cert.Digest
		}
	}
	for i := range m.Votes {
		if v := &m.Votes[i]; certified[v.Seq] == v.Digest && len(v.Batch) > 0 {
			v.Batch = nil
		}
	}
}

// sendViewChange sends toLeader (the full VIEW-CHANGE, or its slim copy on a repeat) to the
// leader of the view and slim to every other replica, this one only if toSelf. The slim copies
// are one message, so the runtime seals it once.
func (r *Replica) sendViewChange(toLeader, slim *ViewChange, toSelf bool) {
	leader := r.cfg.leaderOf(slim.View)
	for id := NodeID(1); int(id) <= r.cfg.N; id++ {
		switch {
		case id == r.cfg.ID && !toSelf:
		case id == leader:
			r.send(id, toLeader)
		default:
			r.send(id, slim)
		}
	}
}

// fillBatches gives every pre-prepare of o its batch, from the VIEW-CHANGE messages used or
// this replica's own log; it reports false if one is missing (the leader then waits for
// other VIEW-CHANGE messages).
func (r *Replica) fillBatches(o []PrePrepare, vcs []*ViewChange) bool {
	p := batchPool{}
	for _, m := range vcs {
		p.add(m)
	}
	for i := range o {
		b, ok := p.get(o[i].Digest)
		if !ok {
			if sl := r.slots[o[i].Seq]; sl != nil {
				b = r.batchFor(sl, o[i].Digest)
				ok = b != nil
			}
		}
		if !ok {
			return false
		}
		o[i].Batch = b
	}
	return true
}
