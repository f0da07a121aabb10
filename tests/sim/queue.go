package sim

import (
	"container/heap"

	"github.com/bftbank/pbft/pbft"
)

// event is a delivery scheduled at a tick. Exactly one of msg, reply, req is set.
type event struct {
	at    uint64
	order uint64 // tie-break: insertion order, so the run is deterministic
	to    pbft.NodeID
	from  pbft.NodeID
	// replica-to-replica traffic: the sealed message (what the authenticator produced)
	sealed any
	local  pbft.Message // a local input (Combined, or the replica's own message), no authentication
	// client traffic
	req      *pbft.Request // to replica `to`
	reply    *pbft.Reply   // to client index `client`
	client   int
	toClient bool
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].order < q[j].order
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func (s *Sim) schedule(e *event) {
	s.order++
	e.order = s.order
	heap.Push(&s.queue, e)
}
