package pbft

// Internals the catch-up tests of package pbft_test need.

// MaxFetchSlots exports maxFetchSlots.
const MaxFetchSlots = maxFetchSlots

// ServeSlotsPerPeriod exports serveSlotsPerPeriod.
const ServeSlotsPerPeriod = serveSlotsPerPeriod

// SnapshotBytes is the encoded replicated state, as a peer serves it in a FETCH-REPLY.
func (r *Replica) SnapshotBytes() []byte { return r.takeSnapshot() }
