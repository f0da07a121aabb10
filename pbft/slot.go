package pbft

// SlotStatus is a slot's progress at one replica (README, "Scenario file grammar", command 2).
type SlotStatus uint8

// Slot statuses, in order of progress.
const (
	StatusNone       SlotStatus = iota // X: nothing known
	StatusPrePrepare                   // PP: a pre-prepare accepted
	StatusPrepared                     // P: a prepare certificate
	StatusCommitted                    // C: a commit certificate or a full-commit proof
	StatusExecuted                     // E: executed
)

// String is the short form of command 2.
func (s SlotStatus) String() string {
	return [...]string{"X", "PP", "P", "C", "E"}[s]
}

// slot is what a replica knows of one sequence number.
type slot struct {
	seq    Seq
	status SlotStatus

	pp *PrePrepare // the accepted pre-prepare of the current view (nil if none)

	// prepared is the highest-view PREPARE-CERT, FULL-COMMIT-PROOF or COMMIT-CERT, with its
	// batch; the view change reports it.
	prepared *PreparedEntry
	// committed is the certificate that committed the slot (COMMIT-CERT or FULL-COMMIT-PROOF).
	committed *Cert
	batch     []Request // the committed batch once known (from pp or from catch-up)

	vote       *VoteEntry // the highest-view pre-prepare this replica sent a σ-share for
	sentCommit View       // the view in which this replica sent COMMIT (0 = never)
	commitFor  Digest     // the digest of that COMMIT (its PREPARE-CERT's; pp may hold another)
	tauSent    bool       // this replica's PREPARE for pp carried its τ-share

	since         uint64    // tick at which the current view's pre-prepare was accepted
	paced         bool      // since-to-execution is the current leader's pace (observePace)
	formed        [4]*Cert  // collector: certificates formed, by CertKind
	prepareShares *shareSet // collector: PREPARE shares of the current view
	commitShares  *shareSet // collector: COMMIT shares of the current view
}

func (r *Replica) slotAt(s Seq) *slot {
	sl := r.slots[s]
	if sl == nil {
		sl = &slot{seq: s}
		r.slots[s] = sl
	}
	return sl
}

// SlotStatus returns the status of slot s at this replica.
func (r *Replica) SlotStatus(s Seq) SlotStatus {
	if s == 0 {
		return StatusNone
	}
	if s <= r.executed {
		return StatusExecuted
	}
	if sl := r.slots[s]; sl != nil {
		return sl.status
	}
	return StatusNone
}

// raise raises a slot's status; it never goes back (a new view re-proposes a slot, but a
// prepared or committed value stays so).
func (sl *slot) raise(st SlotStatus) {
	if st > sl.status {
		sl.status = st
	}
}
