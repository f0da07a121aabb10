package pbft

// Messages of a view this replica has not entered yet (the network reorders a NEW-VIEW and
// the first pre-prepares of the view) are kept, within bounds, and replayed on entering it.
//
// Bounds (R4 in docs/protocol.md, "Bounds"): only messages of the view being changed to or
// the next one are kept, only from a replica that may send them in that view (pre-prepares
// and certificates from its leader, shares to this replica if it is the collector), and per
// sender at most futurePerPeer messages of at most maxOBytes of batches in all. What is over
// is dropped and counted; the protocol's retransmissions bring it again later.

// futurePerPeer is how many messages of future views one replica may have kept: a leader
// sends at most a pre-prepare, its repeat with WantTau and two certificates per slot of the
// window.
func (c *Config) futurePerPeer() int { return 4 * int(c.Window) }

type futureMsg struct {
	from  NodeID
	msg   Message
	bytes int
}

// futureBuffer is the kept messages, with what each sender has used of its bounds.
type futureBuffer struct {
	msgs  []futureMsg
	count map[NodeID]int
	bytes map[NodeID]int
}

// viewOf returns the view a normal-case message belongs to.
func viewOf(m Message) (View, bool) {
	switch m := m.(type) {
	case *PrePrepare:
		return m.View, true
	case *Prepare:
		return m.View, true
	case *Commit:
		return m.View, true
	case *Cert:
		return m.View, true
	}
	return 0, false
}

// deferFuture keeps m if it belongs to a view this replica has not entered; it reports whether
// it handled m (kept or dropped).
func (r *Replica) deferFuture(from NodeID, m Message) bool {
	v, ok := viewOf(m)
	if !ok || v < r.view || (v == r.view && r.viewActive) {
		return false
	}
	if v > r.view+1 || !r.maySend(from, v, m) {
		r.stats.Dropped++
		return true
	}
	f := &r.future
	size := 0
	if pp, ok := m.(*PrePrepare); ok {
		size = batchSize(pp.Batch)
	}
	if f.count == nil {
		f.count, f.bytes = map[NodeID]int{}, map[NodeID]int{}
	}
	if f.count[from] >= r.cfg.futurePerPeer() || f.bytes[from]+size > maxOBytes {
		r.stats.Dropped++
		return true
	}
	f.count[from]++
	f.bytes[from] += size
	f.msgs = append(f.msgs, futureMsg{from, m, size})
	return true
}

// maySend reports whether replica `from` may send m in view v: pre-prepares and certificates
// come from the leader, PREPARE and COMMIT shares go to the leader (the collector).
func (r *Replica) maySend(from NodeID, v View, m Message) bool {
	switch m.(type) {
	case *PrePrepare, *Cert:
		return from == r.cfg.leaderOf(v)
	}
	return r.cfg.leaderOf(v) == r.cfg.ID
}

// replayFuture steps the kept messages of the view just entered and drops older ones.
func (r *Replica) replayFuture() {
	kept := r.future.msgs
	r.future = futureBuffer{}
	for _, f := range kept {
		v, _ := viewOf(f.msg)
		switch {
		case v == r.view:
			r.Step(f.from, f.msg)
		case v > r.view:
			r.deferFuture(f.from, f.msg)
		}
	}
}
