package sim

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// The chain of set 1 of the official file: each transfer depends on the previous one.
var chainTxns = []string{"(A, B, 1)", "(B, C, 2)", "(C, D, 3)", "(D, E, 4)", "(E)"}

// A backup whose signatures are bad is ignored: the six others commit everything, and every
// honest replica counts the frames it refused. Run with the fake and the real authenticator.
func TestAttackSignBackup(t *testing.T) {
	for _, a := range fakeAndBLSAuth(t) {
		t.Run(a.name, func(t *testing.T) {
			run := attackRun{seed: 41, attacks: map[pbft.NodeID][]string{3: {"sign"}}, txns: chainTxns, auth: a.auth}
			s := run.runToCompletion(t, 100_000)
			checkNoViewChange(t, s, run)
			for _, id := range run.honest() {
				if s.Rejects(id).BadSignature == 0 {
					t.Errorf("n%d accepted every message of the bad signer", id)
				}
			}
			if s.Replica(1).Stats().FastCommits != 0 {
				t.Error("fast path with a bad signer: its σ-share cannot have verified")
			}
		})
	}
}

// A leader whose signatures are bad is replaced: nobody accepts its pre-prepares.
func TestAttackSignLeader(t *testing.T) {
	for _, a := range fakeAndBLSAuth(t) {
		t.Run(a.name, func(t *testing.T) {
			run := attackRun{seed: 42, attacks: map[pbft.NodeID][]string{1: {"sign"}}, txns: chainTxns, auth: a.auth}
			s := run.runToCompletion(t, 100_000)
			checkViewChanged(t, s, run)
		})
	}
}

// A crashed leader never lets a slot prepare and never starts a view it leads: the backups
// move to view 2, where it is a backup that sends no PREPARE.
func TestAttackCrashLeader(t *testing.T) {
	run := attackRun{seed: 43, attacks: map[pbft.NodeID][]string{1: {"crash"}}, txns: chainTxns}
	s := run.runToCompletion(t, 100_000)
	checkView(2)(t, s, run)
	if s.Replica(1).Executed() == 0 {
		t.Error("the crashed replica stopped receiving")
	}
	if s.WithheldReplies(1) == 0 {
		t.Error("the crashed replica answered the read")
	}
}

// A leader that keeps two backups in the dark still gathers 2f+1 votes; the two catch up.
func TestAttackDarkLeader(t *testing.T) {
	run := attackRun{seed: 44, attacks: map[pbft.NodeID][]string{1: {"dark(n6, n7)"}}, txns: chainTxns}
	s := run.runToCompletion(t, 100_000)
	checkNoViewChange(t, s, run)
	for _, id := range []pbft.NodeID{6, 7} {
		if s.Replica(id).Stats().Fetched == 0 && s.Replica(id).Stats().Snapshots == 0 {
			t.Errorf("n%d converged without catch-up although the leader kept it in the dark", id)
		}
	}
}

// A slow leader makes every transaction slower but causes no view change.
func TestAttackTimeSlowerWithoutViewChange(t *testing.T) {
	honest := attackRun{seed: 45, txns: chainTxns}.runToCompletion(t, 100_000)
	run := attackRun{seed: 45, attacks: map[pbft.NodeID][]string{1: {"time"}}, txns: chainTxns}
	s := run.runToCompletion(t, 100_000)
	checkNoViewChange(t, s, run)
	delay := uint64(200 / 8) // vcTimers' view-change timeout over byzantine.TimeDivisor
	// Four dependent transfers (the read does not go through the leader), each held back by
	// two delayed leader hops on the fast path (PRE-PREPARE, FULL-COMMIT-PROOF); allow for the
	// network delays that overlap.
	if s.Now() < honest.Now()+4*3*delay/2 {
		t.Fatalf("the slow leader finished at tick %d, the honest one at %d: not slowed by %d per hop", s.Now(), honest.Now(), delay)
	}
}

// Many pipelined slots under an equivocating leader, and under a slow one.
func TestAttacksManyTransfers(t *testing.T) {
	cases := []struct {
		name    string
		attacks []string
		check   func(t *testing.T, s *Sim, run attackRun)
	}{
		{"equivocation", []string{"equivocation(n6, n7)"}, checkViewChanged},
		{"time", []string{"time"}, checkNoViewChange},
		{"crash", []string{"crash"}, checkView(2)},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := officialRun(t, "10", int64(50+i))
			run.attacks = map[pbft.NodeID][]string{1: c.attacks}
			s := run.runToCompletion(t, 200_000)
			c.check(t, s, run)
		})
	}
}

func checkView(v pbft.View) func(t *testing.T, s *Sim, run attackRun) {
	return func(t *testing.T, s *Sim, run attackRun) {
		for _, id := range run.honest() {
			if got := s.Replica(id).View(); got != v {
				t.Errorf("n%d in view %d, want %d", id, got, v)
			}
		}
	}
}

// With the runner's timers (view change after 400 ticks, re-sends after 50) the slow leader's
// delay of 400/8 per message leaves room for lost messages too: 5% loss, no view change.
func TestAttackTimeLossyNetworkDefaultTimers(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		run := officialRun(t, "10", 60+seed)
		run.attacks = map[pbft.NodeID][]string{1: {"time"}}
		run.net = &NetFaults{Drop: 0.05, Dup: 0.05, MinDelay: 1, MaxDelay: 8}
		run.timers = func(*pbft.Config) {}
		s := run.runToCompletion(t, 400_000)
		checkNoViewChange(t, s, run)
	}
}

// The `sign` replica's own copies travel with a valid frame (a node delivers them locally) but
// with its damaged shares, so when it combines a checkpoint certificate it finds its own share
// bad and drops it, and still forms the certificate from the others'.
func TestAttackSignOwnShareFoundBad(t *testing.T) {
	for _, a := range fakeAndBLSAuth(t) {
		t.Run(a.name, func(t *testing.T) {
			run := officialRun(t, "10", 46)
			run.live, run.auth = nil, a.auth
			run.attacks = map[pbft.NodeID][]string{3: {"sign"}}
			s := run.runToCompletion(t, 200_000)
			if s.Rejects(3).BadShare == 0 {
				t.Fatalf("n3 combined its own damaged share without noticing: %+v", s.Rejects(3))
			}
			if s.Replica(3).StableCheckpoint().Seq == 0 {
				t.Fatal("n3 formed no checkpoint certificate")
			}
		})
	}
}
