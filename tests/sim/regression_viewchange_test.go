package sim

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// Regression scenarios of the adversarial audit (docs/protocol.md, "Audit findings"): each
// replays the schedule that broke agreement before the fix. The simulator checks agreement,
// exactly-once and conservation of money after every step, so a run that breaks them fails.

// only addresses m to the listed replicas.
func only(m pbft.Message, ids ...pbft.NodeID) []pbft.Envelope {
	out := make([]pbft.Envelope, len(ids))
	for i, id := range ids {
		out[i] = pbft.Envelope{To: id, Msg: m}
	}
	return out
}

// strippedViewChanges returns what a faulty replica that reports nothing sends for e: its
// VIEW-CHANGEs emptied of every certificate and vote (and no other message when silent).
func strippedViewChange(self pbft.NodeID, e pbft.Envelope) []pbft.Envelope {
	vc, ok := e.Msg.(*pbft.ViewChange)
	if !ok {
		return nil
	}
	if e.To == self {
		return []pbft.Envelope{e}
	}
	c := *vc
	c.Prepared, c.Votes = nil, nil
	return []pbft.Envelope{{To: e.To, Msg: &c}}
}

// steady is a network without loss or reordering: the schedule is the adversary's alone.
var steady = NetFaults{MinDelay: 1, MaxDelay: 1}

// holdViewChanges keeps the VIEW-CHANGEs of `from` away from `to` for the rest of the run.
func holdViewChanges(s *Sim, to pbft.NodeID, from ...pbft.NodeID) {
	held := map[pbft.NodeID]bool{}
	for _, id := range from {
		held[id] = true
	}
	s.Intercept = func(f, t pbft.NodeID, m pbft.Message) (uint64, bool) {
		if _, ok := m.(*pbft.ViewChange); ok && t == to && held[f] {
			return 1 << 40, true
		}
		return 0, true
	}
}

// S1: n1 (faulty leader) shows slot 1's pre-prepare to n3-n6, its PREPARE-CERT to n2, n5, n6,
// n7 (n2 and n7 lack the batch but sign COMMIT), and the COMMIT-CERT to n5 alone, which
// executes. The VIEW-CHANGEs of n5 and n6 reach the new leader n2 late, so V is {n1, n2, n3,
// n4, n7}: before the fix n2 and n7 did not report the certificate and O put a no-op at slot 1.
func TestRegressionS1CommitSignerReportsCertificate(t *testing.T) {
	for _, a := range authsUnderTest(t) {
		t.Run(a.name, func(t *testing.T) {
			s := newSim(t, Options{Seed: 1, Clients: 2, Net: steady, Auth: a.auth, Configure: vcTimers})
			silent := false
			s.Outbound[1] = func(e pbft.Envelope) []pbft.Envelope {
				if silent {
					return strippedViewChange(1, e)
				}
				switch m := e.Msg.(type) {
				case *pbft.PrePrepare:
					if m.Seq == 1 {
						return only(m, 1, 3, 4, 5, 6)
					}
				case *pbft.Cert:
					if m.Seq == 1 && m.Type == pbft.PrepareCert {
						return only(m, 1, 2, 5, 6, 7)
					}
					if m.Seq == 1 && m.Type == pbft.CommitCert {
						silent = true
						return only(m, 1, 5)
					}
				}
				return []pbft.Envelope{e}
			}
			holdViewChanges(s, 2, 5, 6)
			s.Issue(1)
			if err := s.RunUntil(func() bool { return s.Replica(5).Executed() >= 1 }, 5_000); err != nil {
				t.Fatal(err)
			}
			if !silent || s.Replica(2).Executed() != 0 || s.Replica(7).Executed() != 0 {
				t.Fatal("the scenario needs slot 1 executed at n5 alone before the view change")
			}
			if err := s.RunUntil(func() bool { return s.Idle() && s.Converged(except(7, 1)...) }, 100_000); err != nil {
				t.Fatal(err)
			}
			nv := s.Replica(2).NewViews()
			if len(nv) == 0 || viewChangeSenders(&nv[0]) != "1 2 3 4 7" {
				t.Fatalf("NEW-VIEW(2) built from %v, the scenario needs V = {n1, n2, n3, n4, n7}", nv)
			}
		})
	}
}

// S2: all seven vote A in view 1; n1 shows the FULL-COMMIT-PROOF to n6 alone, which executes
// A. n2 sends a correct NEW-VIEW(2) with A to n3 and n4 only (they re-vote A in view 2), then
// stalls. The VIEW-CHANGEs of n6 and n7 reach n3, leader of view 3, late: V(3) reports A twice
// at view 2 and once at view 1. Before the fix no single view had f+1 votes and O put a no-op
// at slot 1.
func TestRegressionS2FastVotesCountFromViewUpwards(t *testing.T) {
	for _, a := range authsUnderTest(t) {
		t.Run(a.name, func(t *testing.T) {
			s := newSim(t, Options{Seed: 2, Clients: 2, Net: steady, Auth: a.auth, Configure: vcTimers})
			n1Silent, n2Silent := false, false
			s.Outbound[1] = func(e pbft.Envelope) []pbft.Envelope {
				if n1Silent {
					return strippedViewChange(1, e)
				}
				if c, ok := e.Msg.(*pbft.Cert); ok && c.Type == pbft.FullCommitProof {
					n1Silent = true
					return only(c, 1, 6)
				}
				return []pbft.Envelope{e}
			}
			s.Outbound[2] = func(e pbft.Envelope) []pbft.Envelope {
				if n2Silent {
					return strippedViewChange(2, e)
				}
				if nv, ok := e.Msg.(*pbft.NewView); ok && nv.View == 2 {
					n2Silent = true
					return only(nv, 2, 3, 4)
				}
				if _, ok := e.Msg.(*pbft.ViewChange); ok {
					return strippedViewChange(2, e)
				}
				return []pbft.Envelope{e}
			}
			holdViewChanges(s, 3, 6, 7)
			s.Issue(1)
			if err := s.RunUntil(func() bool { return s.Replica(6).Executed() >= 1 }, 5_000); err != nil {
				t.Fatal(err)
			}
			if s.Replica(3).Executed() != 0 || s.Replica(5).Executed() != 0 {
				t.Fatal("the scenario needs slot 1 executed at n6 alone before the view changes")
			}
			if err := s.RunUntil(func() bool { return s.Idle() && s.Converged(3, 4, 5, 6, 7) }, 200_000); err != nil {
				t.Fatal(err)
			}
			if !n2Silent {
				t.Fatal("n2 never sent its NEW-VIEW(2); the scenario needs it")
			}
			for _, id := range []pbft.NodeID{3, 4, 5, 6, 7} {
				if v := s.Replica(id).View(); v < 3 {
					t.Fatalf("n%d in view %d, the scenario needs view 3", id, v)
				}
			}
		})
	}
}

// viewChangeSenders lists the replicas whose VIEW-CHANGEs a NEW-VIEW carries, e.g. "1 2 3".
func viewChangeSenders(nv *pbft.NewView) string {
	out := ""
	for i, vc := range nv.ViewChanges {
		if i > 0 {
			out += " "
		}
		out += string(rune('0' + vc.Replica))
	}
	return out
}
