package sim

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// invariants are checked as the run goes: agreement on every executed slot, exactly-once
// execution, and conservation of money.
type invariants struct {
	s          *Sim
	slotDigest map[pbft.Seq]pbft.Digest
	execOf     map[execKey]pbft.Seq
	total      int64
	rejected   int // messages the authenticator refused
	err        error
	// faulty replicas are left out of every check (see MarkFaulty); observer sees every Ready.
	faulty   map[pbft.NodeID]bool
	observer func(id pbft.NodeID, rd *pbft.Ready) error
	highest  pbft.Seq                  // the highest slot a replica (not faulty) executed
	votes    map[voteKey]pbft.Digest   // every vote an honest replica's core sent
	views    map[pbft.NodeID]pbft.View // the highest view each replica sent a binding message of
}

type voteKey struct {
	from pbft.NodeID
	kind string
	view pbft.View
	seq  pbft.Seq
}

type execKey struct {
	replica pbft.NodeID
	client  pbft.ClientID
	t       uint64
}

func (v *invariants) init(s *Sim) {
	v.s = s
	v.slotDigest = map[pbft.Seq]pbft.Digest{}
	v.execOf = map[execKey]pbft.Seq{}
	v.votes, v.views = map[voteKey]pbft.Digest{}, map[pbft.NodeID]pbft.View{}
	v.total = s.banks[0].Total()
}

// observe checks what a replica executed and replied.
func (v *invariants) observe(id pbft.NodeID, rd *pbft.Ready) {
	if v.observer != nil {
		if err := v.observer(id, rd); err != nil && v.err == nil {
			v.err = err
		}
	}
	if v.faulty[id] {
		return
	}
	for _, e := range rd.Executed {
		if d, ok := v.slotDigest[e.Seq]; ok && d != e.Digest {
			v.err = fmt.Errorf("agreement violated: n%d executed slot %d with digest %s, another replica with %s", id, e.Seq, e.Digest, d)
		}
		v.slotDigest[e.Seq] = e.Digest
		v.highest = max(v.highest, e.Seq)
	}
	for _, rep := range rd.Replies {
		if rep.ReadOnly || rep.Seq == 0 {
			continue
		}
		k := execKey{id, rep.Client, rep.Timestamp}
		if s, ok := v.execOf[k]; ok && s != rep.Seq {
			v.err = fmt.Errorf("exactly-once violated: n%d executed %s t=%d in slots %d and %d", id, rep.Client, rep.Timestamp, s, rep.Seq)
		}
		v.execOf[k] = rep.Seq
	}
}

func (v *invariants) check() error {
	if v.err != nil {
		return v.err
	}
	for i, b := range v.s.banks {
		if v.faulty[pbft.NodeID(i+1)] {
			continue
		}
		if b.Total() != v.total {
			return fmt.Errorf("money not conserved at n%d: %d, expected %d", i+1, b.Total(), v.total)
		}
	}
	return nil
}

// Rejected is the number of messages the authenticator refused.
func (s *Sim) Rejected() int { return s.inv.rejected }

// Converged reports whether the given replicas executed the same prefix and hold the same state.
// In a durable run it also needs them to have executed every slot some replica (not faulty)
// executed: replicas that all lost power may come back below a slot whose replies clients
// already accepted, and must execute it again.
func (s *Sim) Converged(ids ...pbft.NodeID) bool {
	first := s.Replica(ids[0])
	if s.dur != nil && first.Executed() < s.inv.highest {
		return false
	}
	for _, id := range ids[1:] {
		r := s.Replica(id)
		if r.Executed() != first.Executed() || r.StateDigest() != first.StateDigest() {
			return false
		}
	}
	return true
}

// checkVotes fails the run if honest replica id's core sends two digests for one (kind, view,
// slot) (PRE-PREPARE, PREPARE, COMMIT; across restarts too), and records the highest view it
// sent a binding message of. It sees the messages that leave (a crash at a write loses the
// Ready's binding ones), before any Byzantine behaviour rewrites them.
func (v *invariants) checkVotes(id pbft.NodeID, rd *pbft.Ready) error {
	if v.faulty[id] {
		return nil
	}
	for _, env := range rd.Messages {
		var k voteKey
		var dg pbft.Digest
		switch m := env.Msg.(type) {
		case *pbft.PrePrepare:
			k, dg = voteKey{id, "PRE-PREPARE", m.View, m.Seq}, m.Digest
		case *pbft.Prepare:
			k, dg = voteKey{id, "PREPARE", m.View, m.Seq}, m.Digest
		case *pbft.Commit:
			k, dg = voteKey{id, "COMMIT", m.View, m.Seq}, m.Digest
		case *pbft.ViewChange:
			v.views[id] = max(v.views[id], m.View)
			continue
		case *pbft.NewView:
			// O's entries are the leader's pre-prepares of that view.
			v.views[id] = max(v.views[id], m.View)
			for i := range m.PrePrepares {
				pp := &m.PrePrepares[i]
				if err := v.vote(voteKey{id, "PRE-PREPARE", m.View, pp.Seq}, pp.Digest); err != nil {
					return err
				}
			}
			continue
		default:
			continue
		}
		v.views[id] = max(v.views[id], k.view)
		if err := v.vote(k, dg); err != nil {
			return err
		}
	}
	return nil
}

func (v *invariants) vote(k voteKey, dg pbft.Digest) error {
	if old, ok := v.votes[k]; ok && old != dg {
		return fmt.Errorf("%s signed conflicting %s for v%d s%d: %s then %s", k.from, k.kind, k.view, k.seq, old, dg)
	}
	v.votes[k] = dg
	return nil
}
