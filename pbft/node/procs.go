package node

import "runtime"

// leaderProcs gives a replica more of the machine while it leads (Options.LeaderProcs). Replicas
// that share a machine run with a small GOMAXPROCS each: more Ps than a replica's share of the
// cores only buys it the cost of waking idle threads. The leader is the exception: after each
// slot it checks the clients' next requests while the backups wait for its pre-prepare, and
// those checks run on the node's worker pool, so a second P shortens the slot. The setting
// follows the view: a replica raises GOMAXPROCS when it becomes the leader and restores the
// one it started with when it stops leading.
type leaderProcs struct {
	base, leader int // GOMAXPROCS when not leading and when leading; leader 0: feature off
	leading      bool
}

func newLeaderProcs(leader int) leaderProcs {
	return leaderProcs{base: runtime.GOMAXPROCS(0), leader: leader}
}

// follow sets GOMAXPROCS for a replica that leads or not; it changes it only when that
// changes (a change stops the world briefly).
func (p *leaderProcs) follow(leading bool) {
	if p.leader <= 0 || leading == p.leading {
		return
	}
	p.leading = leading
	if leading {
		runtime.GOMAXPROCS(p.leader)
	} else {
		runtime.GOMAXPROCS(p.base)
	}
}
