package sim

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/scenario"
)

// officialRun turns a set of the official scenario file into a simulator run.
func officialRun(t *testing.T, number string, seed int64) attackRun {
	t.Helper()
	file, err := scenario.ParseFile("../input1.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range file.Sets {
		if set.Number != number {
			continue
		}
		run := attackRun{seed: seed, live: []pbft.NodeID{}, attacks: map[pbft.NodeID][]string{}}
		for _, id := range set.Live {
			run.live = append(run.live, pbft.NodeID(id))
		}
		var attacks []string
		for _, a := range set.Attacks {
			attacks = append(attacks, a.String())
		}
		for _, id := range set.Byzantine {
			run.attacks[pbft.NodeID(id)] = attacks
		}
		for _, txn := range set.Txns {
			run.txns = append(run.txns, txn.Ops...)
		}
		return run
	}
	t.Fatalf("no set %s in the official file", number)
	return attackRun{}
}

// Sets 3-10 of the official file, except 7 (nothing commits; see TestOfficialSet7...). Each
// must complete every transaction with the results and balances of sequential execution, and
// every honest live replica, those kept in the dark included, must converge.
func TestOfficialAttackSets(t *testing.T) {
	cases := []struct {
		set   string
		check func(t *testing.T, s *Sim, run attackRun)
	}{
		{"3", checkCrashedBackup},     // n2 crash, n7 down
		{"4", checkNoViewChange},      // n1 time; dark(n6), n7 down
		{"5", checkViewChanged},       // n1 equivocation(n6, n7)
		{"6", checkViewChanged},       // n1 time; dark(n6); equivocation(n7)
		{"8", checkViewChanged},       // n1 equivocation(n5, n6), n7 down
		{"9", checkTwoCrashedLeaders}, // n1, n2 crash
		{"10", checkNoViewChange},     // n7 dark(n1, n2)
	}
	for i, c := range cases {
		t.Run("set"+c.set, func(t *testing.T) {
			run := officialRun(t, c.set, int64(30+i))
			s := run.runToCompletion(t, 200_000)
			c.check(t, s, run)
		})
	}
}

func checkCrashedBackup(t *testing.T, s *Sim, run attackRun) {
	checkNoViewChange(t, s, run)
	if s.WithheldReplies(2) == 0 {
		t.Error("crashed n2 answered the read")
	}
	if s.Replica(1).Stats().FastCommits != 0 {
		t.Error("fast path with a crashed backup and a replica down")
	}
}

func checkNoViewChange(t *testing.T, s *Sim, run attackRun) {
	for _, id := range run.honest() {
		if r := s.Replica(id); r.View() != 1 || r.Stats().ViewChanges != 0 {
			t.Errorf("n%d in view %d after %d view changes, want view 1", id, r.View(), r.Stats().ViewChanges)
		}
	}
}

func checkViewChanged(t *testing.T, s *Sim, run attackRun) {
	for _, id := range run.honest() {
		if r := s.Replica(id); r.View() < 2 || r.Stats().ViewChanges == 0 {
			t.Errorf("n%d still in view %d: the equivocating leader was not replaced", id, r.View())
		}
	}
}

func checkTwoCrashedLeaders(t *testing.T, s *Sim, run attackRun) {
	for _, id := range run.honest() {
		if r := s.Replica(id); r.View() != 3 || r.Leader() != 3 {
			t.Errorf("n%d in view %d led by %s, want view 3 led by n3", id, r.View(), r.Leader())
		}
	}
}

// Set 7: n3 signs badly and n6, n7 are down, so only four replicas sign validly: nothing can
// commit, every balance stays at 10, and the honest replicas reject n3's messages.
func TestOfficialSet7NothingCommits(t *testing.T) {
	for _, a := range fakeAndBLSAuth(t) {
		t.Run(a.name, func(t *testing.T) {
			run := officialRun(t, "7", 37)
			run.auth = a.auth
			checkNothingCommits(t, run, 3_000)
		})
	}
}

func checkNothingCommits(t *testing.T, run attackRun, ticks uint64) {
	s, _ := run.start(t)
	for s.Now() < ticks {
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}
	logRun(t, s, run.liveIDs())
	if s.Completed() != 0 {
		t.Fatalf("%d transactions completed with only four valid signers", s.Completed())
	}
	initial, _ := sequential(nil)
	for _, id := range allIDs(7) {
		if s.Replica(id).Executed() != 0 {
			t.Errorf("n%d executed %d slots", id, s.Replica(id).Executed())
		}
		checkBalances(t, s, id, initial)
	}
	for _, id := range run.honest() {
		if s.Rejects(id).BadSignature == 0 {
			t.Errorf("n%d rejected nothing from the bad signer", id)
		}
	}
}
