package sim

import (
	"fmt"
	"math/rand"
	"os"

	"github.com/bftbank/pbft/pbft"
)

// restarter crashes and restarts replicas of a durable run (Options.Durable) at random: one,
// several or all of them at once (a power cut), now or at their next write (before or after
// it), more often while a view change is under way; each comes back after a random downtime.
// Every choice comes from its own PRNG, seeded by the run's seed.
type restarter struct {
	s    *Sim
	rng  *rand.Rand
	ids  []pbft.NodeID // the replicas it may crash
	rate int           // crash events per 10 000 ticks (doubled during view changes)
	upAt []uint64      // per replica (by NodeID): when a down replica restarts (0: not planned)
	logf func(string, ...any)
	// target, if set, names the replica that a single crash hits half the time (the
	// adversary's choice: the one that knows most).
	target func() pbft.NodeID
}

func newRestarter(s *Sim, ids []pbft.NodeID, rate int, logf func(string, ...any)) *restarter {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &restarter{s: s, rng: rand.New(rand.NewSource(s.Seed()*104729 + 3)), ids: ids, rate: rate,
		upAt: make([]uint64, s.N+1), logf: logf}
}

// tick runs after each step: due restarts, then maybe a new crash.
func (r *restarter) tick() error {
	now := r.s.Now()
	changing := false
	for _, id := range r.ids {
		if !r.s.Down(id) {
			changing = changing || !r.s.Replica(id).ViewActive()
			continue
		}
		if r.upAt[id] == 0 {
			r.upAt[id] = now + 1 + uint64(r.rng.Intn(400))
		}
		if now >= r.upAt[id] {
			if err := r.restart(id); err != nil {
				return err
			}
		}
	}
	rate := r.rate
	if changing {
		rate *= 4
	}
	if r.rng.Intn(10_000) >= rate {
		return nil
	}
	var victims []pbft.NodeID
	switch pick(r.rng, []int{70, 20, 10}) {
	case 0:
		victims = []pbft.NodeID{r.ids[r.rng.Intn(len(r.ids))]}
		if r.target != nil && r.rng.Intn(2) == 0 {
			victims[0] = r.target()
		}
	case 1:
		perm := r.rng.Perm(len(r.ids))
		for _, i := range perm[:2+r.rng.Intn(len(r.ids)-1)] {
			victims = append(victims, r.ids[i])
		}
	default:
		victims = append(victims, r.ids...)
		restartStats.all++
	}
	power := r.rng.Intn(2) == 0
	mode := pick(r.rng, []int{40, 30, 30})
	for _, id := range victims {
		if r.s.Down(id) {
			continue
		}
		rp := r.s.Replica(id)
		if !rp.ViewActive() {
			restartStats.changing++
		}
		r.logf("crash %s (v%d active %v exec %d): mode %d power %v", id, rp.View(), rp.ViewActive(), rp.Executed(), mode, power)
		if mode == 0 {
			r.s.Crash(id, power)
		} else {
			r.s.CrashAtNextWrite(id, mode == 2, power)
		}
	}
	return nil
}

// restartStats counts, over a test's runs, the restarts, the ones of replicas that were
// changing view when they crashed, the crashes of every replica at once and the lying
// FETCH-REPLYs, so that a soak can tell the generator exercised them.
var restartStats struct{ restarts, changing, all, lies int }

func (r *restarter) restart(id pbft.NodeID) error {
	r.upAt[id] = 0
	restartStats.restarts++
	if err := r.s.Restart(id); err != nil {
		return err
	}
	rp := r.s.Replica(id)
	r.logf("restart %s: v%d active %v exec %d stable %d", id, rp.View(), rp.ViewActive(), rp.Executed(), rp.StableCheckpoint().Seq)
	return nil
}

// stop cancels pending crashes and restarts every down replica at once.
func (r *restarter) stop() error {
	for _, id := range r.ids {
		r.s.CancelCrash(id)
		if r.s.Down(id) {
			if err := r.restart(id); err != nil {
				return fmt.Errorf("restart %s: %w", id, err)
			}
		}
	}
	return nil
}

// debugLog prints the restarter's choices with the tick when PBFT_SIM_DEBUG is set (to replay
// a seed of a generator without a transcript).
func debugLog(s *Sim) func(string, ...any) {
	if os.Getenv("PBFT_SIM_DEBUG") == "" {
		return nil
	}
	return func(format string, args ...any) { fmt.Printf("t=%d %s\n", s.Now(), fmt.Sprintf(format, args...)) }
}
