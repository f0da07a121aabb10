package pbft

import "bytes"

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

// batchCount is the number of batches m carries.
func batchCount(m *ViewChange) int {
	n := 0
	for i := range m.Prepared {
		if len(m.Prepared[i].Batch) > 0 {
			n++
		}
	}
	for i := range m.Votes {
		if len(m.Votes[i].Batch) > 0 {
			n++
		}
	}
	return n
}

// sameViewChange reports whether a and b are copies of one VIEW-CHANGE (the same signed slim
// form), whatever batches each carries.
func sameViewChange(a, b *ViewChange) bool {
	if a.View != b.View || a.Replica != b.Replica || a.Stable.Seq != b.Stable.Seq ||
		a.Stable.State != b.Stable.State || !bytes.Equal(a.Sig, b.Sig) ||
		len(a.Prepared) != len(b.Prepared) || len(a.Votes) != len(b.Votes) {
		return false
	}
	for i := range a.Prepared {
		x, y := &a.Prepared[i].Cert, &b.Prepared[i].Cert
		if x.Type != y.Type || x.View != y.View || x.Seq != y.Seq || x.Digest != y.Digest || !bytes.Equal(x.Sig, y.Sig) {
			return false
		}
	}
	for i := range a.Votes {
		x, y := &a.Votes[i], &b.Votes[i]
		if x.View != y.View || x.Seq != y.Seq || x.Digest != y.Digest {
			return false
		}
	}
	return true
}

// batchSize is the byte size a batch counts for (RequestBytes summed).
func batchSize(b []Request) int {
	n := 0
	for i := range b {
		n += RequestBytes(&b[i])
	}
	return n
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

// fillBatches gives every pre-prepare of o its batch, from the VIEW-CHANGE messages used
// (the first that carries it), the batches fetched for this view change, or this replica's
// own log. It returns the pre-prepares whose batch is missing (the leader fetches them).
func (r *Replica) fillBatches(o []PrePrepare, vcs []*ViewChange) []PrePrepare {
	p := batchPool{}
	for i := len(vcs) - 1; i >= 0; i-- {
		p.add(vcs[i]) // the lowest replica id's copy wins (every copy matches the digest)
	}
	var missing []PrePrepare
	for i := range o {
		b, ok := p.get(o[i].Digest)
		if !ok {
			b, ok = r.vc.fetch.fetched[o[i].Digest]
		}
		if !ok {
			if sl := r.slots[o[i].Seq]; sl != nil {
				b = r.batchFor(sl, o[i].Digest)
				ok = b != nil
			}
		}
		if !ok {
			missing = append(missing, o[i])
			continue
		}
		o[i].Batch = b
	}
	return missing
}
