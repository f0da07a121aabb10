package byzantine

import (
	"reflect"

	"github.com/bftbank/pbft/pbft"
)

// Group is one distinct message a replica sends with every destination its Behavior chose for
// it: the runtime seals it once and sends it to each (the replica's own copy is delivered
// locally, unsealed).
type Group struct {
	Msg  pbft.Message
	Outs []Out
}

// Route is how every runtime, the node and the simulator, turns one envelope of the core into
// sends: the envelope passes through b, a Broadcast destination a Behavior returns is
// expanded, a nil message is dropped, and consecutive Outs of the same message value form one
// Group, in order of first appearance.
func Route(b Behavior, self pbft.NodeID, n int, env pbft.Envelope) []Group {
	var groups []Group
	for _, o := range b.Outbound(self, n, env) {
		if o.Msg == nil {
			continue
		}
		dests := []Out{o}
		if o.To == pbft.Broadcast {
			dests = dests[:0]
			for _, e := range Expand(n, pbft.Envelope{To: pbft.Broadcast, Msg: o.Msg}) {
				e.DelayTicks = o.DelayTicks
				dests = append(dests, e)
			}
		}
		k := len(groups) - 1
		if k < 0 || !sameMessage(groups[k].Msg, o.Msg) {
			groups = append(groups, Group{Msg: o.Msg})
			k++
		}
		groups[k].Outs = append(groups[k].Outs, dests...)
	}
	return groups
}

// sameMessage reports whether a and b are the same message value (the same pointer); it
// never compares values of non-comparable types.
func sameMessage(a, b pbft.Message) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Type() != vb.Type() || va.Kind() != reflect.Pointer {
		return false
	}
	return va.Pointer() == vb.Pointer()
}
