package sim

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/pbft"
)

// historyDir is where a history that is not linearizable is written, as porcupine's HTML.
func historyDir() string { return filepath.Join(os.TempDir(), "pbft-histories") }

// staleReadRun is the attack of issue 17: n6 and n7 (f = 2) answer reads with the balance they
// first reported, and honest n3, n4 and n5 learn that slots committed only holdTicks late (they
// vote, so slots still commit). E reads its balance, A pays E, then E reads again.
func staleReadRun(t *testing.T, orderedQuorum int) *Sim {
	t.Helper()
	const holdTicks = 150 // below the view-change timeout of vcTimers
	s := newSim(t, Options{Seed: 1, Clients: 10, Balance: scenarioBalance, OrderedQuorum: orderedQuorum,
		Net: NetFaults{MinDelay: 1, MaxDelay: 2}, Configure: vcTimers})
	for _, id := range []pbft.NodeID{6, 7} {
		s.Behaviors[id] = byzantine.NewStaleRead()
	}
	s.Intercept = func(_, to pbft.NodeID, m pbft.Message) (uint64, bool) {
		if c, ok := m.(*pbft.Cert); ok && to >= 3 && to <= 5 && (c.Type == pbft.CommitCert || c.Type == pbft.FullCommitProof) {
			return holdTicks, true
		}
		return 0, true
	}
	if err := s.Script(scenarioOps(t, []string{"(E)", "(A, E, 1)", "(E)"})); err != nil {
		t.Fatal(err)
	}
	if err := s.RunUntil(s.ScriptDone, 20_000); err != nil {
		t.Fatal(err)
	}
	for i, o := range s.ScriptOutcomes() {
		t.Logf("transaction %d: %+v", i, o)
	}
	return s
}

// With 2f+1 matching replies for writes, the second read sees the payment although f replicas
// answer stale balances and f+1 honest ones lag.
func TestStaleReadReplicasCannotHideACompletedWrite(t *testing.T) {
	s := staleReadRun(t, 0)
	if got := s.ScriptOutcomes()[2].Result.Value; got != 11 {
		t.Fatalf("second read of E = %d, want 11", got)
	}
	if err := s.CheckHistory(historyDir()); err != nil {
		t.Fatal(err)
	}
}

// The fix reverted (a write completes with f+1 matching replies): the second read returns the
// old balance, and porcupine finds the history not linearizable.
func TestStaleReadFoundWithTheWriteQuorumOfIssue17(t *testing.T) {
	s := staleReadRun(t, 3) // f+1 with f = 2
	if got := s.ScriptOutcomes()[2].Result.Value; got != 10 {
		t.Fatalf("second read of E = %d, want the stale 10 (the attack did not work)", got)
	}
	start := time.Now()
	res := s.CheckLinearizable()
	if res.Linearizable() {
		t.Fatalf("porcupine accepted a stale read: %s", res)
	}
	t.Logf("porcupine: %s, found in %v", res, time.Since(start))
	if err := res.Visualize(filepath.Join(t.TempDir(), "stale.html")); err != nil {
		t.Fatal(err)
	}
}
