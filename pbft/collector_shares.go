package pbft

import "github.com/bftbank/pbft/pbft/quorum"

// phase is where a share set stands. A set moves forward only:
//
//	gathering ─(2f+1 PREPAREs, wait armed)─> fastWait ─(wait over)─> slowPath
//	gathering ─(2f+1 PREPAREs, no wait)──────────────────────────────> slowPath
//	any open phase ─(enough shares)─> combining ─(certificate)─> certified
//	combining ─(combination failed)─> slowPath (PREPARE) or gathering (COMMIT)
//
// A COMMIT set only gathers, combines and is certified.
type phase uint8

const (
	gathering phase = iota // fewer than 2f+1 PREPAREs (for COMMIT: fewer than 2f+1 good τ-shares)
	fastWait               // 2f+1 PREPAREs in; waiting until deadline for all n σ-shares
	slowPath               // the wait is over or skipped: 2f+1 τ-shares make the certificate
	combining              // a combination of these shares runs in the runtime (CombineJob)
	certified              // the certificate formed; late σ-shares only inform the adaptive wait
)

// open reports whether shares may still start a combination.
func (p phase) open() bool { return p < combining }

// shares holds one share per replica; quorum.Votes counts them (a share is a vote for the
// set's digest, so a replica's second share is a duplicate and is ignored).
type shares struct {
	votes *quorum.Votes[NodeID, Digest]
	sig   map[NodeID][]byte
}

func newShares() shares {
	return shares{votes: quorum.NewVotes[NodeID, Digest](), sig: map[NodeID][]byte{}}
}

// add records id's share for d; false when id already gave one.
func (s shares) add(id NodeID, d Digest, sig []byte) bool {
	if s.votes.Add(id, d) != quorum.Added {
		return false
	}
	s.sig[id] = sig
	return true
}

// drop forgets id's share (it failed verification).
func (s shares) drop(id NodeID) {
	s.votes.Remove(id)
	delete(s.sig, id)
}

// count is the number of replicas whose share is held.
func (s shares) count() int { return s.votes.Len() }

// shareSet holds the shares the collector received for one slot and phase of the protocol.
type shareSet struct {
	view   View
	digest Digest
	phase  phase
	tau    shares
	sigma  shares
	voters *quorum.Votes[NodeID, Digest] // replicas whose PREPARE arrived (with a τ-share or not)
	bad    map[NodeID]bool               // replicas whose share failed verification

	quorumAt uint64 // tick at which 2f+1 PREPAREs were in (once phase left gathering)
	deadline uint64 // the fast-path wait ends at this tick (0: the wait was never armed)
	// fastDead: the fast path failed, or a suspect's σ-share would fail it; only 2f+1
	// τ-shares can certify.
	fastDead bool
	tauAsked bool // the pre-prepare was sent again to ask for τ-shares (once per set)
}

func newShareSet(v View, d Digest) *shareSet {
	return &shareSet{view: v, digest: d, tau: newShares(), sigma: newShares(),
		voters: quorum.NewVotes[NodeID, Digest](), bad: map[NodeID]bool{}}
}

// currentSet returns the share set *p holds for view v, first replacing a set of an earlier
// view (or none) with an empty one for (v, d).
func currentSet(p **shareSet, v View, d Digest) *shareSet {
	if *p == nil || (*p).view != v {
		*p = newShareSet(v, d)
	}
	return *p
}

// waitUntil arms the fast-path wait: the set waits for the last σ-shares until tick end.
func (ss *shareSet) waitUntil(end uint64) {
	ss.phase, ss.deadline = fastWait, end
}

// waiting reports whether the set is still in a fast-path wait at tick now.
func (ss *shareSet) waiting(now uint64) bool {
	return ss.phase == fastWait && now < ss.deadline && !ss.fastDead
}
