package byzantine

import (
	"strings"

	"github.com/bftbank/pbft/pbft"
)

// Every attack of this package decides per destination: what it does with a Broadcast is what
// it does with each of the Broadcast's unicast copies. That is what lets Compose feed a
// behaviour the outputs of the previous one, one destination at a time.

// rewrite expands env and keeps, for every destination, what keep returns (ok false drops it).
func rewrite(n int, env pbft.Envelope, keep func(Out) (Out, bool)) []Out {
	outs := Expand(n, env)
	kept := outs[:0]
	for _, o := range outs {
		if o, ok := keep(o); ok {
			kept = append(kept, o)
		}
	}
	return kept
}

// composed runs several behaviours in order.
type composed []Behavior

// Compose chains behaviours: the first sees the core's envelope, each next one sees every
// message the previous one sends (as a unicast envelope), and delays add up. CorruptSignatures
// and DropReply are the OR of the parts. Compose() is Honest, and Compose(b) is b.
func Compose(parts ...Behavior) Behavior {
	var flat composed
	for _, b := range parts {
		switch b := b.(type) {
		case nil, Honest:
		case composed:
			flat = append(flat, b...)
		default:
			flat = append(flat, b)
		}
	}
	switch len(flat) {
	case 0:
		return Honest{}
	case 1:
		return flat[0]
	}
	return flat
}

// Outbound applies every part in order.
func (c composed) Outbound(self pbft.NodeID, n int, env pbft.Envelope) []Out {
	outs := Expand(n, env)
	for _, b := range c {
		var next []Out
		for _, o := range outs {
			for _, r := range b.Outbound(self, n, pbft.Envelope{To: o.To, Msg: o.Msg}) {
				r.DelayTicks += o.DelayTicks
				next = append(next, r)
			}
		}
		outs = next
	}
	return outs
}

// CorruptSignatures is true if any part corrupts signatures.
func (c composed) CorruptSignatures() bool {
	for _, b := range c {
		if b.CorruptSignatures() {
			return true
		}
	}
	return false
}

// DropReply is true if any part withholds the reply.
func (c composed) DropReply(rep *pbft.Reply) bool {
	for _, b := range c {
		if b.DropReply(rep) {
			return true
		}
	}
	return false
}

// String lists the parts as a scenario file writes them, e.g. "time; dark(n6)".
func (c composed) String() string {
	names := make([]string, len(c))
	for i, b := range c {
		names[i] = Name(b)
	}
	return strings.Join(names, "; ")
}

// Name is how logs print a behaviour: its attack syntax, or "honest".
func Name(b Behavior) string {
	if s, ok := b.(interface{ String() string }); ok {
		return s.String()
	}
	if _, ok := b.(Honest); ok || b == nil {
		return "honest"
	}
	return "custom"
}
