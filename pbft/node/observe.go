package node

import (
	"fmt"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// observeEvery is how often the loop publishes what the admin endpoint reads (an
// observation) and logs checkpoints and catch-up; it counts ticks to get there.
const observeEvery = 100 * time.Millisecond

// checkpointLogEvery is the least time between two "stable checkpoint" log lines: under load
// a checkpoint stabilizes every second or so, and an operator needs to see progress, not
// every one.
const checkpointLogEvery = 30 * time.Second

// observation is a copy of the core's state that the admin endpoint reads without asking the
// loop (so that metrics are served while the loop is paused or busy). The loop replaces it
// every observeTicks; readers never modify it.
type observation struct {
	at            time.Time
	stats         pbft.Stats
	view          pbft.View
	viewActive    bool
	leader        pbft.NodeID
	executed      pbft.Seq
	stable        pbft.Seq
	notAuthorized uint64
	accounts      int
	vc            viewChange
}

// viewChange is the last view change this replica saw (loop only; copied into observations).
type viewChange struct {
	view             pbft.View
	started, entered time.Time
}

// observer is the loop's bookkeeping for observations and the logs they drive.
type observer struct {
	ticks      int
	lastLogged time.Time // the last checkpoint logged
	loggedCkpt pbft.Seq
	fetching   bool     // a catch-up is under way (fetched slots or snapshots grew)
	fetchFrom  pbft.Seq // executed slot when it began
	last       pbft.Stats
	vc         viewChange
}

// tickObserve runs on every tick and observes every observeTicks.
func (nd *node) tickObserve() {
	nd.obs.ticks++
	if nd.obs.ticks >= max(1, int(observeEvery/nd.tick())) {
		nd.obs.ticks = 0
		nd.observe(time.Now())
	}
}

// observe publishes an observation and logs what an operator should see at info level.
func (nd *node) observe(now time.Time) {
	st := nd.core.Stats()
	o := &observation{at: now, stats: st, view: nd.core.View(), viewActive: nd.core.ViewActive(),
		leader: nd.core.Leader(), executed: nd.core.Executed(), stable: nd.core.StableCheckpoint().Seq,
		notAuthorized: nd.bank.Refused(), accounts: nd.bank.Len(), vc: nd.obs.vc}
	nd.published.Store(o)
	nd.logCatchUp(st, o.executed)
	nd.logCheckpoint(o.stable, now)
	nd.obs.last = st
}

// logCatchUp logs the start and the end of a catch-up: slots or snapshots fetched from peers
// since the last observation start one, an observation without any ends it.
func (nd *node) logCatchUp(st pbft.Stats, executed pbft.Seq) {
	grew := st.Fetched > nd.obs.last.Fetched || st.Snapshots > nd.obs.last.Snapshots
	switch {
	case grew && !nd.obs.fetching:
		nd.obs.fetching, nd.obs.fetchFrom = true, executed
		nd.log.Info().Msgf("%s v=%d catching up from peers (executed s=%d)", nd.id, nd.core.View(), executed)
	case !grew && nd.obs.fetching:
		nd.obs.fetching = false
		nd.log.Info().Msgf("%s v=%d caught up: executed s=%d (from s=%d); %d slots fetched and %d snapshots installed so far",
			nd.id, nd.core.View(), executed, nd.obs.fetchFrom, st.Fetched, st.Snapshots)
	}
}

// logCheckpoint logs the stable checkpoint at most every checkpointLogEvery.
func (nd *node) logCheckpoint(stable pbft.Seq, now time.Time) {
	if stable == nd.obs.loggedCkpt || now.Sub(nd.obs.lastLogged) < checkpointLogEvery {
		return
	}
	d := nd.core.StableCheckpoint().State
	since := ""
	if nd.obs.loggedCkpt > 0 {
		since = fmt.Sprintf(" (%d checkpoints since the last line)", (stable-nd.obs.loggedCkpt)/pbft.Seq(max(1, nd.cfg.CheckpointInterval)))
	}
	nd.log.Info().Msgf("%s v=%d stable checkpoint s=%d d=%s%s", nd.id, nd.core.View(), stable, d.String(), since)
	nd.obs.loggedCkpt, nd.obs.lastLogged = stable, now
}
