package sim

import (
	"flag"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

var attackSeedsFlag = flag.Int("attackseeds", 60, "number of seeds of the randomized attack sets")

// randomAttackRun draws a scenario set: up to f faulty replicas, each either down or running a
// random combination of attacks, a hostile network, and random transfers and reads among A..J.
func randomAttackRun(seed int64) attackRun {
	rng := rand.New(rand.NewSource(seed))
	run := attackRun{seed: seed, live: []pbft.NodeID{}, attacks: map[pbft.NodeID][]string{},
		net: &NetFaults{Drop: rng.Float64() * 0.03, Dup: rng.Float64() * 0.05, MinDelay: 1, MaxDelay: 1 + uint64(rng.Intn(6))}}
	faulty := map[pbft.NodeID]bool{}
	for _, i := range rng.Perm(7)[:rng.Intn(3)] {
		faulty[pbft.NodeID(i+1)] = true
	}
	for _, id := range allIDs(7) {
		switch {
		case !faulty[id]:
			run.live = append(run.live, id)
		case rng.Intn(4) > 0:
			run.live = append(run.live, id)
			run.attacks[id] = randomAttacks(rng)
		}
	}
	for i := 0; i < 20; i++ {
		a := 'A' + rune(rng.Intn(10))
		if rng.Intn(6) == 0 {
			run.txns = append(run.txns, fmt.Sprintf("(%c)", a))
			continue
		}
		b := 'A' + rune((int(a-'A')+1+rng.Intn(9))%10)
		run.txns = append(run.txns, fmt.Sprintf("(%c, %c, %d)", a, b, 1+rng.Intn(6)))
	}
	return run
}

func randomAttacks(rng *rand.Rand) []string {
	var out []string
	for len(out) == 0 {
		for _, name := range []string{"sign", "crash", "time", "dark", "equivocation", "stale-read"} {
			if rng.Intn(3) > 0 {
				continue
			}
			if name == "dark" || name == "equivocation" {
				var targets []string
				for _, i := range rng.Perm(7)[:1+rng.Intn(3)] {
					targets = append(targets, fmt.Sprintf("n%d", i+1))
				}
				name += "(" + strings.Join(targets, ", ") + ")"
			}
			out = append(out, name)
		}
	}
	return out
}

// Random faulty sets: every transaction completes with the results and balances of sequential
// execution, every honest live replica converges and the clients' history is linearizable (the
// checks of runToCompletion; agreement and exactly-once are checked by the simulator at every
// step).
func TestRandomAttacks(t *testing.T) {
	first, n := seedRange(*attackSeedsFlag, 20)
	for seed := first; seed < first+int64(n); seed++ {
		run := randomAttackRun(seed)
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Logf("live %v attacks %v net %+v", run.live, run.attacks, *run.net)
			run.runToCompletion(t, 300_000)
		})
	}
}

// TestRandomAttacksRestarts is TestRandomAttacks with durable stores, the honest live replicas
// crashing and restarting (one, several or all of them; restarter) during the first
// restartTicks ticks: the same outcomes, balances and linearizable history.
func TestRandomAttacksRestarts(t *testing.T) {
	first, n := seedRange(*attackSeedsFlag/3, 5)
	if *seedFlag != 0 {
		first, n = *seedFlag, 1
	}
	for seed := first; seed < first+int64(n); seed++ {
		run := randomAttackRun(seed)
		run.restarts = true
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Logf("live %v attacks %v net %+v", run.live, run.attacks, *run.net)
			run.runToCompletion(t, 300_000)
		})
	}
}
