package byzantine

import "github.com/bftbank/pbft/pbft"

// TimeDivisor sets the `time` attack's delay: every message waits ViewChangeTicks/TimeDivisor.
//
// Why 8: a backup's view-change timer runs from the moment it learns a request until the
// request executes (it restarts on every execution). On the slow path a slot needs three hops
// from the leader (PRE-PREPARE, PREPARE-CERT, COMMIT-CERT; the fast path needs two), each held
// back by the delay, so a request waits about 3/8 of the timeout plus the network's own delay,
// well under the timeout. One more delayed hop (a request a backup forwards after the client's
// retransmission) still leaves half the timeout as margin. With the defaults (ViewChangeTicks
// 400, 1 ms ticks) that is 50 ms per message.
const TimeDivisor = 8

// Time is the `time` attack (docs/design.md, "Byzantine module"): the replica sends everything,
// late. As leader it makes every slot slower by about 3·DelayTicks without triggering a view
// change. The replica's own copies are not delayed (they are local deliveries, not sends).
type Time struct {
	Honest     // otherwise it behaves honestly
	DelayTicks int
}

// NewTime returns the attack for a cluster whose view-change timeout is viewChangeTicks.
func NewTime(viewChangeTicks int) Time {
	return Time{DelayTicks: max(1, viewChangeTicks/TimeDivisor)}
}

// Outbound delays every message to another replica by DelayTicks.
func (t Time) Outbound(self pbft.NodeID, n int, env pbft.Envelope) []Out {
	return rewrite(n, env, func(o Out) (Out, bool) {
		if o.To != self {
			o.DelayTicks += t.DelayTicks
		}
		return o, true
	})
}

// String is the attack's name as a scenario file writes it (the delay is in DelayTicks).
func (Time) String() string { return "time" }
