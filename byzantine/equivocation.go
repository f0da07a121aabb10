package byzantine

import (
	"slices"

	"github.com/bftbank/pbft/pbft"
)

// Equivocation is the `equivocation(ni, ...)` attack (docs/design.md, "Byzantine module"): as
// leader it sends each pre-prepare with sequence s to the listed replicas and with s+1 to the
// others; its own copy is unchanged. The shifted copy keeps the batch and its digest, so each half
// of the replicas holds a well-formed pre-prepare and votes for it, but neither half reaches 2f+1
// votes for one (s, d) as long as the halves are split: the slot stalls, the backups time out, and
// the new leader fills the gap with a no-op (docs/protocol.md, "View change").
//
// Only PRE-PREPARE is rewritten (the leader is the only sender of that type, including when it
// re-sends a stalled slot); the pre-prepares inside a NEW-VIEW are left alone, since backups
// recompute them and would reject a forged NEW-VIEW anyway.
type Equivocation struct {
	Honest               // otherwise it behaves honestly
	Listed []pbft.NodeID // the replicas that get sequence s
}

// Outbound shifts the sequence number of pre-prepares sent to replicas that are not listed.
func (e Equivocation) Outbound(self pbft.NodeID, n int, env pbft.Envelope) []Out {
	return rewrite(n, env, func(o Out) (Out, bool) {
		pp, ok := o.Msg.(*pbft.PrePrepare)
		if !ok || o.To == self || slices.Contains(e.Listed, o.To) {
			return o, true
		}
		shifted := *pp
		shifted.Seq++
		o.Msg = &shifted
		return o, true
	})
}

// String is the attack as a scenario file writes it, e.g. "equivocation(n6, n7)".
func (e Equivocation) String() string { return withTargets("equivocation", e.Listed) }
