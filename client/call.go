package client

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// call is an outstanding request and the replies received for it.
type call struct {
	t        uint64
	readOnly bool
	quorum   int // matching replies needed: f+1 ordered, 2f+1 read-only
	replies  map[pbft.NodeID]*pbft.Reply
	accepted *pbft.Reply   // set once a quorum matches
	done     chan struct{} // closed when accepted is set
	// split is closed when quorum replicas answered without quorum of them agreeing: for a
	// read, some replicas had not yet executed the latest write, and asking again soon is
	// cheaper than waiting for the client timer.
	split   chan struct{}
	isSplit bool
}

func newCall(t uint64, readOnly bool, quorum int) *call {
	return &call{t: t, readOnly: readOnly, quorum: quorum,
		replies: make(map[pbft.NodeID]*pbft.Reply), done: make(chan struct{}), split: make(chan struct{})}
}

// wants reports whether rep answers this call (before its signature is checked).
func (k *call) wants(rep *pbft.Reply) bool {
	return k.accepted == nil && rep.Timestamp == k.t && rep.ReadOnly == k.readOnly
}

// add records an authenticated reply (the latest one per replica counts) and accepts the
// answer once quorum distinct replicas agree on it.
func (k *call) add(rep *pbft.Reply) {
	if !k.wants(rep) {
		return
	}
	k.replies[rep.Replica] = rep
	matching := 0
	for _, r := range k.replies {
		if sameAnswer(r, rep) {
			matching++
		}
	}
	if matching >= k.quorum {
		k.accepted = rep
		close(k.done)
		return
	}
	if len(k.replies) >= k.quorum && !k.isSplit {
		k.isSplit = true
		close(k.split)
	}
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
	views := make([]pbft.View, 0, len(k.replies))
	for _, r := range k.replies {
		views = append(views, r.View)
	}
	if len(views) <= f {
		return 0
	}
	slices.Sort(views)
	return views[len(views)-1-f]
}

// decodeReply reads a reply frame: a wire.Frame whose body is a reply, or a bare reply.
func decodeReply(frame []byte, self pbft.ClientID) (*pbft.Reply, error) {
	rep, err := wire.DecodeReply(frame)
	if err != nil {
		return nil, err
	}
	if rep.Client != self {
		return nil, fmt.Errorf("client %s: reply addressed to %s", self, rep.Client)
	}
	return rep, nil
}
