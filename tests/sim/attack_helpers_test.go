package sim

import (
	"slices"
	"testing"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// scenarioBalance is the opening balance of the scenario accounts A..J (README, "Scenario file
// grammar").
const scenarioBalance = 10

// attackRun is one scenario set on the simulator: the live replicas (the others are down for
// the whole run), the attacks of each Byzantine replica, and the transactions, written as a
// scenario file writes them with accounts A..J (the simulator's clients c00..c09).
type attackRun struct {
	seed    int64
	live    []pbft.NodeID // nil: all seven
	attacks map[pbft.NodeID][]string
	txns    []string
	auth    Auth
	net     *NetFaults         // nil: hostile
	timers  func(*pbft.Config) // nil: vcTimers
	// restarts: durable stores, and the honest live replicas crash and restart (restarter) for
	// the first restartTicks ticks.
	restarts bool
}

// restartTicks is how long the restarter of an attack run with restarts works.
const restartTicks = 3_000

func (a attackRun) liveIDs() []pbft.NodeID {
	if a.live == nil {
		return allIDs(7)
	}
	return a.live
}

// honest are the live replicas that run no attack.
func (a attackRun) honest() []pbft.NodeID {
	var ids []pbft.NodeID
	for _, id := range a.liveIDs() {
		if a.attacks[id] == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// start builds the simulator with the run's faults and queues the transactions.
func (a attackRun) start(t *testing.T) (*Sim, []smallbank.Op) {
	t.Helper()
	viewChangeTicks, net := 0, hostile
	if a.net != nil {
		net = *a.net
	}
	s := newSim(t, Options{Seed: a.seed, Clients: 10, Net: net, Auth: a.auth, Balance: scenarioBalance, Durable: a.restarts,
		Configure: func(c *pbft.Config) {
			if a.timers != nil {
				a.timers(c)
			} else {
				vcTimers(c)
			}
			viewChangeTicks = c.ViewChangeTicks
		}})
	for _, id := range allIDs(7) {
		s.Silence(id, !slices.Contains(a.liveIDs(), id))
	}
	for id, attacks := range a.attacks {
		b, err := byzantine.Parse(attacks, id, 7, viewChangeTicks)
		if err != nil {
			t.Fatal(err)
		}
		s.Behaviors[id] = b
	}
	ops := scenarioOps(t, a.txns)
	if err := s.Script(ops); err != nil {
		t.Fatal(err)
	}
	return s, ops
}

// runToCompletion runs the set until every transaction completed and every honest live
// replica holds the same state, then checks the outcomes and balances against sequential
// execution.
func (a attackRun) runToCompletion(t *testing.T, maxTicks uint64) *Sim {
	t.Helper()
	s, ops := a.start(t)
	honest := a.honest()
	if a.restarts && len(honest) > 0 {
		rs := newRestarter(s, honest, 20, debugLog(s))
		for s.Now() < restartTicks {
			if err := s.Step(); err != nil {
				t.Fatal(err)
			}
			if err := rs.tick(); err != nil {
				t.Fatal(s.fail(err))
			}
		}
		if err := rs.stop(); err != nil {
			t.Fatal(s.fail(err))
		}
	}
	if err := s.RunUntil(func() bool { return s.ScriptDone() && s.Converged(honest...) }, maxTicks); err != nil {
		t.Fatal(err)
	}
	want, results := sequential(ops)
	for i, o := range s.ScriptOutcomes() {
		if o.Result != results[i] {
			t.Errorf("transaction %d %s: result %+v, sequential execution gives %+v", i, ops[i], o.Result, results[i])
		}
	}
	for _, id := range honest {
		checkBalances(t, s, id, want)
	}
	a.checkDown(t, s)
	if err := s.CheckHistory(historyDir()); err != nil {
		t.Error(err)
	}
	logRun(t, s, a.liveIDs())
	return s
}

// checkDown checks that the replicas that were down executed nothing.
func (a attackRun) checkDown(t *testing.T, s *Sim) {
	t.Helper()
	initial := smallbank.NewBank()
	openAccounts(initial)
	for _, id := range allIDs(7) {
		if !slices.Contains(a.liveIDs(), id) {
			checkBalances(t, s, id, initial)
		}
	}
}

// fakeAndBLSAuth are the fake authenticator and the real one over BLS12-381 (the attack
// scenarios skip the second real scheme to keep the run short).
func fakeAndBLSAuth(t *testing.T) []namedAuth {
	var out []namedAuth
	for _, a := range authsUnderTest(t) {
		if a.name == "fake" || a.name == crypto.SchemeBLS12381 {
			out = append(out, a)
		}
	}
	if len(out) != 2 {
		t.Fatalf("want the fake and the BLS12-381 authenticators, have %d", len(out))
	}
	return out
}

// scenarioOps parses transactions such as "(A, B, 1)" or "(E)", mapping account A to c00,
// B to c01, ...
func scenarioOps(t *testing.T, txns []string) []smallbank.Op {
	t.Helper()
	ops := make([]smallbank.Op, len(txns))
	for i, txt := range txns {
		op, err := smallbank.ParseOp(txt)
		if err != nil {
			t.Fatal(err)
		}
		op.Account = letterAccount(t, op.Account)
		if op.Dest != "" {
			op.Dest = letterAccount(t, op.Dest)
		}
		ops[i] = op
	}
	return ops
}

func letterAccount(t *testing.T, name string) string {
	if len(name) != 1 || name[0] < 'A' || name[0] > 'J' {
		t.Fatalf("scenario account %q is not one of A..J", name)
	}
	return AccountName(int(name[0] - 'A'))
}

func openAccounts(b *smallbank.Bank) {
	for c := 0; c < 10; c++ {
		if err := b.Open(AccountName(c), scenarioBalance, 0); err != nil {
			panic("test bank: " + err.Error())
		}
	}
}

// sequential executes ops one by one on a fresh bank: the state a scenario set must reach.
func sequential(ops []smallbank.Op) (*smallbank.Bank, []smallbank.Result) {
	b := smallbank.NewBank()
	openAccounts(b)
	results := make([]smallbank.Result, len(ops))
	for i, op := range ops {
		results[i] = b.Apply(op)
	}
	return b, results
}

func checkBalances(t *testing.T, s *Sim, id pbft.NodeID, want *smallbank.Bank) {
	t.Helper()
	for c := 0; c < 10; c++ {
		name := AccountName(c)
		got, _ := s.Bank(id).Balance(name)
		exp, _ := want.Balance(name)
		if got != exp {
			t.Errorf("n%d: %s = %d, want %d", id, name, got, exp)
		}
	}
}

func logRun(t *testing.T, s *Sim, ids []pbft.NodeID) {
	t.Helper()
	t.Logf("%s at tick %d", s.Describe(), s.Now())
	for _, id := range ids {
		st := s.Replica(id).Stats()
		t.Logf("n%d: view %d, view changes %d, fast %d slow %d, rejects %+v, withheld replies %d",
			id, s.Replica(id).View(), st.ViewChanges, st.FastCommits, st.SlowCommits, s.Rejects(id), s.WithheldReplies(id))
	}
}
