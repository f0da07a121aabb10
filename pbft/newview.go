package pbft

import (
	"bytes"

	"github.com/bftbank/pbft/pbft/quorum"
)

// computeO is the NEW-VIEW selection rule (docs/protocol.md, "View change"), a pure function of the
// VIEW-CHANGE messages so that the new leader and every backup compute the same O. It returns the
// highest stable checkpoint in V (min-s), the highest slot with a certificate or vote (max-s), and
// one pre-prepare of view nv for every slot in (min-s, max-s]:
//  1. a FULL-COMMIT-PROOF or COMMIT-CERT if any message has one (the value committed);
//  2. else the value with fast-path votes from f+1 distinct replicas in the highest such view,
//     if that view is above the highest PREPARE-CERT's (SBFT's dual-mode rule: a value that may
//     have committed on the fast path was voted by every honest replica, so by f+1 of any 2f+1);
//  3. else the value of the highest-view PREPARE-CERT;
//  4. else a no-op.
//
// Ties (equal views) go to the smaller digest. The pre-prepares name their values by digest
// only (Batch nil): the leader fills in the batches (fillBatches), and a backup takes them
// from the NEW-VIEW after checking that its O matches.
func computeO(nv View, vcs []ViewChange, f int) (CheckpointCert, Seq, []PrePrepare) {
	p := planO(nv, vcs, f)
	return p.stable, p.maxS, p.o
}

// oPlan is computeO's result with, for each pre-prepare of O, the commit certificate that
// decided it (rule 1) or nil (decidedCert).
type oPlan struct {
	stable  CheckpointCert
	maxS    Seq
	o       []PrePrepare
	decided []*Cert
}

// slotReports are what V reports for one slot of (min-s, max-s]: every certificate, and each
// message's first fast-path vote.
type slotReports struct {
	certs []*PreparedEntry
	votes []votedBy
}

// votedBy is a fast-path vote with the index in V of the message that reports it.
type votedBy struct {
	*VoteEntry
	voter int
}

// planO computes O as computeO documents. It first groups V's entries by slot in one pass, so
// that O costs time linear in V's entries: scanning every message for every slot cost L times
// that (up to n messages of up to 2L entries each, for L slots), 0.7 s per NEW-VIEW with
// L = 8192 and f = 1, paid on the single protocol loop for every NEW-VIEW a faulty new leader
// sends (docs/protocol.md, "Bounds"; TestNewViewCheckIsLinearInV).
func planO(nv View, vcs []ViewChange, f int) oPlan {
	var stable CheckpointCert
	for i := range vcs {
		if vcs[i].Stable.Seq > stable.Seq {
			stable = vcs[i].Stable
		}
	}
	maxS := stable.Seq
	for i := range vcs {
		for _, e := range vcs[i].Prepared {
			maxS = max(maxS, e.Cert.Seq)
		}
		for _, v := range vcs[i].Votes {
			maxS = max(maxS, v.Seq)
		}
	}
	reports := make([]slotReports, maxS-stable.Seq)
	at := func(s Seq) *slotReports {
		if s <= stable.Seq {
			return nil
		}
		return &reports[s-stable.Seq-1]
	}
	for i := range vcs {
		for j := range vcs[i].Prepared {
			if e := &vcs[i].Prepared[j]; at(e.Cert.Seq) != nil {
				at(e.Cert.Seq).certs = append(at(e.Cert.Seq).certs, e)
			}
		}
		for j := range vcs[i].Votes {
			v := &vcs[i].Votes[j]
			sr := at(v.Seq)
			if sr == nil || (len(sr.votes) > 0 && sr.votes[len(sr.votes)-1].voter == i) {
				continue // a message counts once per slot: its first vote
			}
			sr.votes = append(sr.votes, votedBy{VoteEntry: v, voter: i})
		}
	}
	p := oPlan{stable: stable, maxS: maxS, o: make([]PrePrepare, 0, len(reports)), decided: make([]*Cert, len(reports))}
	for i := range reports {
		d, c := selectValue(&reports[i], f)
		p.o = append(p.o, PrePrepare{View: nv, Seq: stable.Seq + 1 + Seq(i), Digest: d})
		p.decided[i] = c
	}
	return p
}

// selectValue applies the rule of computeO to one slot's reports and returns the digest of the
// value, with the commit certificate that decided it (rule 1) or nil.
func selectValue(sr *slotReports, f int) (Digest, *Cert) {
	if c := decidedCert(sr); c != nil {
		return c.Digest, c
	}
	var prepared *PreparedEntry
	for _, e := range sr.certs {
		if e.Cert.Type == PrepareCert && better(e, prepared) {
			prepared = e
		}
	}
	if vote, view, ok := fastVote(sr, f); ok && (prepared == nil || view > prepared.Cert.View) {
		return vote, nil
	}
	if prepared != nil {
		return prepared.Cert.Digest, nil
	}
	return noopDigest, nil
}

// decidedCert returns the commit certificate (CommitCert or FullCommitProof) by which
// selectValue chooses a slot's value (rule 1), or nil when a prepare certificate, a fast-path
// vote or the no-op chooses it. Such a slot is decided: the certificate proves its value committed, every
// NEW-VIEW must select that value, and a replica that accepts the NEW-VIEW commits it at once
// with that certificate instead of voting on it again in the new view (acceptDecided).
func decidedCert(sr *slotReports) *Cert {
	var committed *PreparedEntry
	for _, e := range sr.certs {
		if e.Cert.Type != PrepareCert && better(e, committed) {
			committed = e
		}
	}
	if committed == nil {
		return nil
	}
	c := committed.Cert
	return &c
}

func better(e, than *PreparedEntry) bool {
	if than == nil || e.Cert.View != than.Cert.View {
		return than == nil || e.Cert.View > than.Cert.View
	}
	return bytes.Compare(e.Cert.Digest[:], than.Cert.Digest[:]) < 0
}

// fastVote applies SBFT's dual-mode rule to slot s: for each value, w is the highest view such
// that f+1 distinct replicas report a fast-path vote for that value in a view >= w (the
// (f+1)-th highest of its votes' views); it returns the value with the highest such w. Votes
// are counted from w upwards, never per exact view: an honest replica re-votes a value it
// voted in view u when a later NEW-VIEW re-proposes it, so the f+1 honest votes that a
// fast-path commit in view u leaves in any 2f+1 VIEW-CHANGEs may be spread over views >= u
// (docs/protocol.md, "Why the fast-path rule is safe"). Each message counts once per slot.
func fastVote(sr *slotReports, f int) (Digest, View, bool) {
	views := map[Digest][]View{}
	for _, v := range sr.votes {
		views[v.Digest] = append(views[v.Digest], v.View)
	}
	var best Digest
	var bestView View
	found := false
	for d, vs := range views {
		w, ok := quorum.KthHighest(vs, f+1)
		if !ok {
			continue
		}
		if !found || w > bestView || (w == bestView && bytes.Compare(d[:], best[:]) < 0) {
			best, bestView, found = d, w, true
		}
	}
	return best, bestView, found
}
