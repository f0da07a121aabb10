// Package byzantine makes a replica misbehave by composition (docs/design.md, "Byzantine module"):
// an honest core wrapped by outbound interceptors and narrow policy decorators. The honest protocol
// code has no attack branches; the runtime (the simulator, or the node process) asks a Behavior
// what to do with every message the honest core wants to send.
//
// The attacks are Sign, Crash, Dark, Time, Equivocation and StaleRead (a ReadPolicy, which Reads
// installs around the replica's application); Compose runs several at once, and Parse builds a
// replica's behaviour from a scenario set's attack list.
package byzantine

import "github.com/bftbank/pbft/pbft"

// Out is one message to send, to one replica (never pbft.Broadcast), after DelayTicks ticks of
// the core's clock (0: now).
type Out struct {
	To         pbft.NodeID
	Msg        pbft.Message
	DelayTicks int
}

// Behavior is what a replica does with its outbound traffic. Honest is the identity.
type Behavior interface {
	// Outbound maps one envelope of the honest core (possibly a Broadcast, which includes the
	// sender itself) to the messages actually sent. The sender's own copy must be included
	// (To == self) when the replica should still process its own message.
	Outbound(self pbft.NodeID, n int, env pbft.Envelope) []Out
	// CorruptSignatures reports whether every signature and share this replica produces must be
	// invalid (the `sign` attack): the runtime damages them after signing.
	CorruptSignatures() bool
	// DropReply reports whether a reply to a client is withheld (the `crash` attack withholds
	// read replies).
	DropReply(rep *pbft.Reply) bool
}

// Expand turns an envelope into one Out per destination (Broadcast means every replica,
// the sender included). It is what an honest replica sends.
func Expand(n int, env pbft.Envelope) []Out {
	if env.To != pbft.Broadcast {
		return []Out{{To: env.To, Msg: env.Msg}}
	}
	outs := make([]Out, 0, n)
	for id := pbft.NodeID(1); int(id) <= n; id++ {
		outs = append(outs, Out{To: id, Msg: env.Msg})
	}
	return outs
}

// Honest is the Behavior of an honest replica.
type Honest struct{}

// Outbound sends everything as the core asked.
func (Honest) Outbound(_ pbft.NodeID, n int, env pbft.Envelope) []Out { return Expand(n, env) }

// CorruptSignatures is false.
func (Honest) CorruptSignatures() bool { return false }

// DropReply is false.
func (Honest) DropReply(*pbft.Reply) bool { return false }
