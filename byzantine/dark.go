package byzantine

import (
	"slices"

	"github.com/bftbank/pbft/pbft"
)

// Dark is the `dark(ni, ...)` attack (docs/design.md, "Byzantine module"): the replica sends
// nothing at all to the listed replicas; it keeps the rest of its traffic, and hears everyone.
// Listing the replica itself has no effect (its own copy is a local delivery, not a send).
type Dark struct {
	Honest               // otherwise it behaves honestly
	To     []pbft.NodeID // the replicas kept in the dark
}

// Outbound drops every message to a listed replica.
func (d Dark) Outbound(self pbft.NodeID, n int, env pbft.Envelope) []Out {
	return rewrite(n, env, func(o Out) (Out, bool) {
		return o, o.To == self || !slices.Contains(d.To, o.To)
	})
}

// String is the attack as a scenario file writes it, e.g. "dark(n1, n2)".
func (d Dark) String() string { return withTargets("dark", d.To) }
