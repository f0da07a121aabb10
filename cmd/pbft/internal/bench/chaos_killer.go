package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/runner"
	"github.com/bftbank/pbft/pbft"
)

// Catch-up of a replica restarted by a rolling restart: how long it may take to reach the
// slot the others had executed when it came back, and how often it is asked.
const (
	catchUpTimeout = 60 * time.Second
	catchUpPoll    = 50 * time.Millisecond
)

// killer kills and restarts the replicas of a local cluster. Only its goroutine touches the
// cluster's replica map while the load runs.
type killer struct {
	c        *benchCluster
	opts     ChaosOptions
	stderr   interface{ Write([]byte) (int, error) }
	rng      *rand.Rand
	from     time.Time // the chaos phase began
	to       time.Time // it ended
	rounds   []ChaosRound
	cycles   int   // rolling: complete passes over n1..nN
	restarts int   // replica processes restarted and ready
	failure  error // a replica that would not restart or catch up
}

// ChaosRound is one kill-and-restart round.
type ChaosRound struct {
	Killed []string `json:"killed"`
	// Faults (--chaos faults) are the faults injected in the round, e.g. "n3 sever n5".
	Faults []string `json:"faults,omitempty"`
	// AtS is when the replicas were killed, in seconds since the chaos phase began.
	AtS float64 `json:"at_s"`
	// DownMS is how long they stayed down before their restart began.
	DownMS float64 `json:"down_ms"`
	// ReadyMS is from the restart to the last of them reporting ready (data directory
	// recovered, listening).
	ReadyMS float64 `json:"ready_ms"`
	// CatchUpMS (rolling) is from ready to executing the slot the others had reached.
	CatchUpMS float64 `json:"catch_up_ms,omitempty"`
	restartAt time.Time
}

func newKiller(c *benchCluster, o *Options) *killer {
	return &killer{c: c, opts: o.Chaos, stderr: o.Stderr, rng: rand.New(rand.NewPCG(o.Seed, 0xdead))}
}

// run kills and restarts replicas until the deadline, or until a replica fails to restart.
func (k *killer) run(ctx context.Context, until time.Time) {
	k.from = time.Now()
	defer func() { k.to = time.Now() }()
	n := k.c.cfg.N()
	for round := 0; time.Now().Before(until) && ctx.Err() == nil && k.failure == nil; round++ {
		if k.opts.Mode == ChaosFaults {
			k.faultRound(ctx)
			k.pause(ctx, until)
			continue
		}
		var ids []pbft.NodeID
		if k.opts.Mode == ChaosRolling {
			ids = []pbft.NodeID{pbft.NodeID(round%n + 1)}
		} else {
			ids = k.pick(round)
		}
		k.round(ctx, ids)
		if k.opts.Mode == ChaosRolling && k.failure == nil && round%n == n-1 {
			k.cycles++
		}
		k.pause(ctx, until)
	}
}

// pick draws the replicas of a random round: all n every AllEvery-th round, otherwise a
// uniformly chosen size in 1..MaxDown and a uniformly chosen subset of that size.
func (k *killer) pick(round int) []pbft.NodeID {
	n := k.c.cfg.N()
	size := 1 + k.rng.IntN(k.opts.MaxDown)
	if k.opts.AllEvery > 0 && k.opts.MaxDown == n && round%k.opts.AllEvery == k.opts.AllEvery-1 {
		size = n
	}
	perm := k.rng.Perm(n)[:size]
	ids := make([]pbft.NodeID, size)
	for i, p := range perm {
		ids[i] = pbft.NodeID(p + 1)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// pause waits a uniformly chosen time in [Interval/2, 3·Interval/2], or less if the deadline
// or ctx comes first.
func (k *killer) pause(ctx context.Context, until time.Time) {
	d := k.opts.Interval/2 + time.Duration(k.rng.Int64N(int64(k.opts.Interval)+1))
	sleepUntil(ctx, minTime(time.Now().Add(d), until))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// round kills ids with SIGKILL, keeps them down for a random time, restarts them from their
// data directories and, in rolling mode, waits until the restarted replica has caught up.
func (k *killer) round(ctx context.Context, ids []pbft.NodeID) {
	r := ChaosRound{AtS: time.Since(k.from).Seconds()}
	for _, id := range ids {
		r.Killed = append(r.Killed, id.String())
	}
	k.kill(ids)
	killedAt := time.Now()
	down := time.Duration(k.rng.Int64N(int64(k.opts.Downtime) + 1))
	sleepUntil(ctx, killedAt.Add(down))
	r.restartAt = time.Now()
	r.DownMS = ms(r.restartAt.Sub(killedAt))
	var target uint64
	if k.opts.Mode == ChaosRolling {
		target = k.executedByOthers(ctx)
	}
	if err := k.restart(ctx, ids); err != nil {
		k.failure = err
	}
	ready := time.Now()
	r.ReadyMS = ms(ready.Sub(r.restartAt))
	if k.opts.Mode == ChaosRolling && k.failure == nil {
		if err := k.awaitCatchUp(ctx, ids[0], target); err != nil {
			k.failure = err
		}
		r.CatchUpMS = ms(time.Since(ready))
	}
	k.rounds = append(k.rounds, r)
	fmt.Fprintf(k.stderr, "chaos round %d at %.1fs: killed %s, down %.0f ms, ready after %.0f ms%s\n",
		len(k.rounds), r.AtS, strings.Join(r.Killed, ","), r.DownMS, r.ReadyMS, catchUpNote(r))
}

func catchUpNote(r ChaosRound) string {
	if r.CatchUpMS == 0 {
		return ""
	}
	return fmt.Sprintf(", caught up after %.0f ms", r.CatchUpMS)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// kill sends SIGKILL to every replica of ids at once and waits until all are gone.
func (k *killer) kill(ids []pbft.NodeID) {
	var wg sync.WaitGroup
	for _, id := range ids {
		rep := k.c.replicas[id]
		if rep == nil {
			continue
		}
		wg.Go(func() {
			if kr, ok := rep.(interface{ Kill() error }); ok {
				kr.Kill()
			} else {
				rep.Stop(0)
			}
		})
	}
	wg.Wait()
	for _, id := range ids {
		delete(k.c.replicas, id)
	}
}

// restart starts the replicas of ids again from their data directories, in parallel, keeping
// each one's previous log beside the new one (set1-nK.log.1, .2, ...).
func (k *killer) restart(ctx context.Context, ids []pbft.NodeID) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for _, id := range ids {
		k.keepLog(id)
		wg.Go(func() {
			rep, err := k.c.launcher.Launch(ctx, runner.ReplicaSpec{ID: int(id), Config: k.c.configPath()}, readyTimeout)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				firstErr = cmpErr(firstErr, fmt.Errorf("restarting %s: %w", id, err))
				return
			}
			k.c.replicas[id] = rep
			k.restarts++
		})
	}
	wg.Wait()
	return firstErr
}

// keepLog renames a killed replica's log so that its restart does not overwrite it.
func (k *killer) keepLog(id pbft.NodeID) {
	log := filepath.Join(k.c.workDir, fmt.Sprintf("set1-%s.log", id))
	for i := 1; ; i++ {
		old := fmt.Sprintf("%s.%d", log, i)
		if _, err := os.Stat(old); os.IsNotExist(err) {
			os.Rename(log, old)
			return
		}
	}
}

// restartAll tries once more to restart every replica that is down (one whose restart
// failed, which stays recorded as the run's failure), so that the final check sees them.
func (k *killer) restartAll(ctx context.Context) {
	var down []pbft.NodeID
	for id := pbft.NodeID(1); int(id) <= k.c.cfg.N(); id++ {
		if k.c.replicas[id] == nil {
			down = append(down, id)
		}
	}
	if len(down) == 0 {
		return
	}
	if err := k.restart(ctx, down); err != nil && k.failure == nil {
		k.failure = err
	}
}

// executedByOthers is the highest slot the running replicas have executed.
func (k *killer) executedByOthers(ctx context.Context) uint64 {
	var top uint64
	for _, m := range k.c.metrics(ctx) {
		top = max(top, m.ExecutedSlot)
	}
	return top
}

// awaitCatchUp polls replica id until it has executed slot target.
func (k *killer) awaitCatchUp(ctx context.Context, id pbft.NodeID, target uint64) error {
	deadline := time.Now().Add(catchUpTimeout)
	for {
		rep := k.c.replicas[id]
		m, err := rep.Control().Metrics(ctx)
		if err == nil && m.ExecutedSlot >= target {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s did not execute slot %d within %v of its restart (at %d)", id, target, catchUpTimeout, m.ExecutedSlot)
		}
		sleepUntil(ctx, time.Now().Add(catchUpPoll))
	}
}
