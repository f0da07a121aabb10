package pbft

// The request timer learns the cluster's pace (docs/protocol.md, "Timer adaptation"). A fixed
// base that suits a LAN (400 ms) fires on a WAN whose slots take 150-450 ms from pre-prepare to
// execution, or on hosts short of CPU: every such timeout is a view change that costs more
// than the slot it gave up on, and a cluster whose base is below its real pace changes views
// in a storm (seen: six view changes in 13 s, p99 4.8 s). The base used by the request, leader
// silence and NEW-VIEW timers is therefore the larger of the configured one and paceFactor
// times a smoothed slot latency plus four deviations (Jacobson's estimator, as TCP's RTO), at
// most maxPaceScale times the configured base, so that a faulty leader that slows its slots on
// purpose can stretch the timers by that much and no more.

// paceFactor is how many slot latencies a request may wait at a backup: the slot in flight
// when it reached the leader, its own, and margin for the fill wait and a pipeline.
const paceFactor = 4

// maxPaceScale caps the learned base at this many times the configured one.
const maxPaceScale = 8

// pace is a smoothed estimate of this replica's slot latency, from accepting a slot's
// pre-prepare to executing it, in ticks scaled by paceScale (fixed point, deterministic).
type pace struct {
	srtt, rttvar int64 // scaled by paceScale
	samples      int
}

const paceScale = 8

// observe adds one slot's latency in ticks.
func (p *pace) observe(ticks uint64) {
	x := int64(min(ticks, 1<<40)) * paceScale
	if p.samples == 0 {
		p.srtt, p.rttvar = x, x/2
	} else {
		d := p.srtt - x
		if d < 0 {
			d = -d
		}
		p.rttvar += (d - p.rttvar) / 4
		p.srtt += (x - p.srtt) / 8
	}
	p.samples++
}

// base returns the timer base in ticks: the configured one, or paceFactor times the learned
// bound on a slot's latency if that is larger, capped at maxPaceScale times the configured.
func (p *pace) base(configured int) int {
	if p.samples == 0 || configured <= 0 {
		return configured
	}
	learned := paceFactor * (p.srtt + 4*p.rttvar) / paceScale
	return int(min(max(learned, int64(configured)), int64(configured)*maxPaceScale))
}

// timerBase is the base of this replica's view-change timers (configured or learned).
func (r *Replica) timerBase() int { return r.vc.pace.base(r.cfg.ViewChangeTicks) }

// TimerBase returns the base of this replica's request, leader-silence and NEW-VIEW timers in
// ticks: ViewChangeTicks, or the base learned from the slots' pace if larger, at most
// maxPaceScale times ViewChangeTicks (docs/protocol.md, "Timer adaptation").
func (r *Replica) TimerBase() int { return r.timerBase() }

// observePace records the latency of slot sl, executed now, if this replica accepted its
// pre-prepare from the current view's leader and voted for it (slot.paced): a slot filled by
// catch-up, decided by a NEW-VIEW's commit certificate (acceptDecided) or restored by Recover
// says nothing about the current leader's pace.
func (r *Replica) observePace(sl *slot) {
	if !sl.paced || sl.pp == nil || sl.pp.View != r.view || sl.since > r.now {
		return
	}
	r.vc.pace.observe(r.now - sl.since)
}
