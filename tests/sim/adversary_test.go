package sim

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

var (
	advSeedsFlag = flag.Int("adv-seeds", 1000, "seeds of TestAdversary (-seeds overrides it when given)")
	advRealFlag  = flag.Int("adv-real", 10, "seeds of TestAdversary run with the real authenticator")
	advAllFlag   = flag.Bool("adv-all", false, "TestAdversary: run every seed, one line per failure")
	// restartSeedsFlag is the number of seeds of TestAdversaryRestarts.
	restartSeedsFlag = flag.Int("restart-seeds", 150, "seeds of TestAdversaryRestarts")
	targetedFlag     = flag.Bool("restart-targeted", false, "TestAdversaryRestarts: crash the replica that knows most half the time")
	lyingFlag        = flag.Bool("restart-lying", false, "TestAdversaryRestarts: faulty replicas serve lying FETCH-REPLYs")
)

func restartModeFlag() restartMode {
	switch {
	case *targetedFlag || os.Getenv("PBFT_SIM_TARGETED") != "":
		return targetedRestarts
	case *lyingFlag || os.Getenv("PBFT_SIM_LYING") != "":
		return lyingRestarts
	}
	return randomRestarts
}

// advSeeds is the number of adversarial seeds: -seeds when given on the command line, else
// -adv-seeds (fewer with -short).
func advSeeds() int {
	n := *advSeedsFlag
	if testing.Short() {
		n = 200
	}
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "seeds" {
			n = *seedsFlag
		}
	})
	return n
}

// advClients is the number of clients of an adversarial run.
const advClients = 4

// advRun is one adversarial run: up to f faulty replicas (some twinned) under the
// adversary, a benign network below it, clients issuing transfers throughout; after the
// attack phase the adversary heals and every honest client's request must complete.
func advRun(seed int64, auth Auth) error { return advRunWith(seed, auth, noRestarts) }

// How an adversarial run restarts honest replicas (advRunWith).
type restartMode int

const (
	noRestarts restartMode = iota
	randomRestarts
	// targetedRestarts: half of the single crashes hit the honest replica that knows most (a
	// certificate with its batch, Adversary.score), the one whose VIEW-CHANGE the adversary
	// also holds back from new leaders.
	targetedRestarts
	// lyingRestarts: random restarts (restarted replicas catch up a lot), and faulty replicas
	// serve lying FETCH-REPLYs (Adversary.lyingFetchReply).
	lyingRestarts
)

// advRunWith is advRun, with restarts: the replicas have durable stores (Options.Durable) and,
// during the attack phase, honest replicas crash and restart from them (restarter: one,
// several or all honest replicas at once, now or at a write, more often during view changes);
// all are back before the adversary heals.
func advRunWith(seed int64, auth Auth, mode restartMode) error {
	restarts := mode != noRestarts
	rng := rand.New(rand.NewSource(seed))
	net := NetFaults{MinDelay: 1, MaxDelay: 1 + uint64(rng.Intn(4))}
	if rng.Intn(4) == 0 {
		net.Drop, net.Dup = 0.01, 0.02
	}
	batch, k := 1+rng.Intn(3), pbft.Seq(4+rng.Intn(6))
	s, err := New(Options{Seed: seed, Clients: advClients, Auth: auth, Net: net, Durable: restarts, Configure: func(c *pbft.Config) {
		vcTimers(c)
		c.MaxBatch, c.CheckpointInterval, c.Window = batch, k, 4*k
	}})
	if err != nil {
		return err
	}
	faulty, twins := drawFaulty(rng)
	a, err := NewAdversary(s, faulty, twins)
	if err != nil {
		return err
	}
	a.logf("seed %d: faulty %v twins %v net %+v noise %d/1000 ticks", seed, faulty, twins, net, a.noise.rate)
	s.Issue(20)
	if rng.Intn(3) == 0 {
		a.AddByzantineClient(3)
	}
	attack := uint64(1500 + rng.Intn(2500))
	var rs *restarter
	if restarts {
		rs = newRestarter(s, a.honest(), 5+rng.Intn(40), a.logf)
		if mode == targetedRestarts {
			rs.target = a.mostKnowing
		}
		if mode == lyingRestarts {
			a.lie = rand.New(rand.NewSource(seed*2654435761 + 11))
			a.logf("faulty replicas serve lying FETCH-REPLYs")
		}
		a.logf("restarts: %d per 10000 ticks", rs.rate)
	}
	for s.Now() < attack {
		if err := a.Step(); err != nil {
			return err
		}
		if rs != nil {
			if err := rs.tick(); err != nil {
				return a.failure(s.fail(err))
			}
		}
	}
	if rs != nil {
		if err := rs.stop(); err != nil {
			return a.failure(s.fail(err))
		}
	}
	return a.healAndFinish(2, 40_000)
}

// drawFaulty draws the faulty replicas, biased toward the leaders of views 1 and 2 (the first
// view changes), and which of them run as twins.
func drawFaulty(rng *rand.Rand) (faulty, twins []pbft.NodeID) {
	switch pick(rng, []int{40, 25, 25, 10}) {
	case 0:
		faulty = []pbft.NodeID{1, 2}
	case 1:
		faulty = []pbft.NodeID{1}
	case 2:
		faulty = []pbft.NodeID{1, pbft.NodeID(3 + rng.Intn(5))}
	default:
		faulty = []pbft.NodeID{pbft.NodeID(2 + rng.Intn(6))}
	}
	for _, id := range faulty {
		if rng.Intn(4) == 0 {
			twins = append(twins, id)
		}
	}
	return faulty, twins
}

// healAndFinish ends the attack and checks liveness: within maxTicks and 2n views every
// honest client's outstanding request and `more` further ones complete, and the honest
// replicas converge.
func (a *Adversary) healAndFinish(more int, maxTicks uint64) error {
	a.Heal()
	for _, c := range a.s.clients {
		c.budget = min(c.budget, more)
	}
	honest := a.honest()
	limit, maxView := a.s.Now()+maxTicks, a.curView()+pbft.View(2*a.s.N)
	for !(a.s.Idle() && a.s.Converged(honest...)) {
		if a.s.Now() >= limit || a.curView() > maxView {
			return a.failure(a.s.fail(fmt.Errorf("liveness: not done within %d ticks and %d views after healing (%s)",
				maxTicks, 2*a.s.N, a.s.Describe())))
		}
		if err := a.Step(); err != nil {
			return err
		}
	}
	if err := a.s.CheckHistory(historyDir()); err != nil {
		return a.failure(err)
	}
	return nil
}

func TestAdversary(t *testing.T) {
	if *seedFlag != 0 {
		if err := advRun(*seedFlag, nil); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Run("real", testAdversaryRealAuth)
	start := time.Now()
	first, n := seedRange(advSeeds(), advSeeds())
	failed := runSeeds(t, first, n, func(seed int64) error { return advRun(seed, nil) })
	t.Logf("seeds %d..%d in %v, %d failed", first, first+int64(n)-1, time.Since(start), failed)
}

// runSeeds runs one simulation per seed first..first+n-1 and returns how many failed. Each
// failure is reported; without -adv-all (which reports every failing seed by its first line)
// the test stops after three.
func runSeeds(t *testing.T, first int64, n int, run func(seed int64) error) int {
	failed := 0
	for seed := first; seed < first+int64(n); seed++ {
		err := run(seed)
		progress(t, seed, first, n, failed)
		switch {
		case err == nil:
		case *advAllFlag:
			failed++
			t.Errorf("%s", strings.SplitN(err.Error(), "\n", 2)[0])
		default:
			failed++
			t.Errorf("%v", err)
			if failed >= 3 {
				t.FailNow()
			}
		}
	}
	return failed
}

// TestAdversaryRestarts is TestAdversary with honest replicas crashing and restarting from
// their durable stores during the attack (advRunWith): agreement, exactly-once and money across
// restarts, no honest replica signing two digests for one (kind, view, slot) or coming back in a
// lower view, and liveness once every replica is back and the adversary heals. -restart-seeds
// (or PBFT_SIM_SEEDS) sets the number of seeds, -seed replays one.
func TestAdversaryRestarts(t *testing.T) {
	if *seedFlag != 0 {
		if err := advRunWith(*seedFlag, nil, restartModeFlag()); err != nil {
			t.Fatal(err)
		}
		return
	}
	start := time.Now()
	first, n := seedRange(*restartSeedsFlag, 30)
	failed := runSeeds(t, first, n, func(seed int64) error { return advRunWith(seed, nil, restartModeFlag()) })
	t.Logf("seeds %d..%d in %v, %d failed; %d restarts, %d crashes mid-view-change, %d of every honest replica at once, %d lying FETCH-REPLYs",
		first, first+int64(n)-1, time.Since(start), failed, restartStats.restarts, restartStats.changing, restartStats.all, restartStats.lies)
}

// testAdversaryRealAuth runs the first seeds against the real authenticator (Ed25519 frames,
// BLS12-381 threshold shares and certificates), so that what the adversary forges and garbles
// is refused by the real crypto, not only by the fake.
func testAdversaryRealAuth(t *testing.T) {
	n := *advRealFlag
	if testing.Short() {
		n = min(n, 2)
	}
	start := time.Now()
	for seed := int64(1); seed <= int64(n); seed++ {
		auth, err := NewRealAuth(crypto.SchemeBLS12381, 2, advClients, []byte(fmt.Sprint("adv-", seed)))
		if err != nil {
			t.Fatal(err)
		}
		if err := advRun(seed, auth); err != nil {
			t.Errorf("real authenticator (the fake replays the same run): %v", err)
		}
	}
	t.Logf("%d seeds with the real authenticator in %v", n, time.Since(start))
}
