package client

import (
	"bytes"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/quorum"
)

// call is the outstanding request and the replies received for it. A Client has one call,
// reused by every request (the client is closed-loop): a new request resets it under a new,
// higher timestamp, so a late reply to an earlier request never matches it.
type call struct {
	t        uint64
	readOnly bool
	op       pbft.Digest  // pbft.OpDigest of the call's operation: replies must name it
	others   int          // replicas whose reply named another operation (otherOp)
	otherOp  []bool       // otherOp[i-1]: replica i's reply named another operation
	quorum   int          // matching replies needed: replyQuorum, 2f+1
	replies  []pbft.Reply // replies[i-1] is replica i's latest reply; Replica 0 if none
	answered int          // replicas with a reply
	accepted *pbft.Reply  // set once a quorum matches; points into replies until reset
	// split is set when quorum replicas answered without quorum of them agreeing: for a
	// read, some replicas had not yet executed the latest write, and asking again soon is
	// cheaper than waiting for the client timer.
	split bool
	views []pbft.View // scratch space of safeView
}

func newCall(n int) *call {
	return &call{replies: make([]pbft.Reply, n), views: make([]pbft.View, 0, n), otherOp: make([]bool, n)}
}

// reset makes k the call of a new request for the operation with digest op.
func (k *call) reset(t uint64, readOnly bool, quorum int, op pbft.Digest) {
	clear(k.replies)
	clear(k.otherOp)
	k.t, k.readOnly, k.quorum, k.op = t, readOnly, quorum, op
	k.answered, k.accepted, k.split, k.others = 0, nil, false, 0
}

// reused reports whether f+1 replicas (at least one honest) answered the call's timestamp
// with another operation: this client's key signed another operation with the same timestamp,
// which the replicas executed instead (docs/protocol.md, "Clients").
func (k *call) reused() bool { return k.others > (k.quorum-1)/2 }

// wants reports whether a reply with timestamp t and the read-only flag readOnly answers
// this call, which is still waiting for a quorum (checked before the reply's MAC).
func (k *call) wants(t uint64, readOnly bool) bool {
	return k.accepted == nil && t == k.t && readOnly == k.readOnly
}

// add records a copy of an authenticated reply (the latest one per replica counts) and
// accepts the answer once quorum distinct replicas agree on it. It reports whether the call
// was accepted or became split, which its waiter must learn.
func (k *call) add(rep *pbft.Reply) (changed bool) {
	if !k.wants(rep.Timestamp, rep.ReadOnly) || rep.Replica < 1 || int(rep.Replica) > len(k.replies) {
		return false
	}
	if rep.Op != k.op {
		if k.otherOp[rep.Replica-1] {
			return false
		}
		k.otherOp[rep.Replica-1] = true
		k.others++
		return k.reused()
	}
	slot := &k.replies[rep.Replica-1]
	if slot.Replica == 0 {
		k.answered++
	}
	*slot = *rep
	matching := 0
	for i := range k.replies {
		if r := &k.replies[i]; r.Replica != 0 && sameAnswer(r, slot) {
			matching++
		}
	}
	if matching >= k.quorum {
		k.accepted = slot
		return true
	}
	if k.answered >= k.quorum && !k.split {
		k.split = true
		return true
	}
	return false
}

// sameAnswer compares what the client accepts: the result, and for an ordered request the
// slot that executed it. Views may differ (a reply may be resent after a view change).
func sameAnswer(a, b *pbft.Reply) bool {
	return a.Seq == b.Seq && bytes.Equal(a.Result, b.Result)
}

// safeView is the (f+1)-th highest view among the replies: at least one honest replica has
// reached it, so a Byzantine replica cannot move the client to a view of its choosing. It is
// 0 when fewer than f+1 replicas replied.
func (k *call) safeView(f int) pbft.View {
	views := k.views[:0]
	for i := range k.replies {
		if r := &k.replies[i]; r.Replica != 0 {
			views = append(views, r.View)
		}
	}
	k.views = views
	v, _ := quorum.KthHighest(views, f+1)
	return v
}
