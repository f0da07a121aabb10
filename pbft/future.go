package pbft

// Messages of a view this replica has not entered yet (the network reorders a NEW-VIEW and
// the first pre-prepares of the view) are kept, up to a bound, and replayed on entering it.

const maxFuture = 4096

type futureMsg struct {
	from NodeID
	msg  Message
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
// it did.
func (r *Replica) deferFuture(from NodeID, m Message) bool {
	v, ok := viewOf(m)
	if !ok || v < r.view || (v == r.view && r.viewActive) {
		return false
	}
	if len(r.future) >= maxFuture {
		r.future = r.future[1:]
	}
	r.future = append(r.future, futureMsg{from, m})
	return true
}

// replayFuture steps the kept messages of the view just entered and drops older ones.
func (r *Replica) replayFuture() {
	kept := r.future
	r.future = nil
	for _, f := range kept {
		v, _ := viewOf(f.msg)
		switch {
		case v == r.view:
			r.Step(f.from, f.msg)
		case v > r.view:
			r.future = append(r.future, f)
		}
	}
}
