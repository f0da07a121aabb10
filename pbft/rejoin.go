package pbft

// Rejoining the current view (docs/protocol.md, "Durability", "Learning the view"). A replica
// that restarted, or missed its view's NEW-VIEW, learns the view from its peers' STATUS and
// gets the NEW-VIEW that proves it from the view's leader. Until then it must not leave the
// view by its own timers: having signed VIEW-CHANGE(v+1) it can never come back to v, and
// alone in v+1 it would not vote until the whole cluster changed view again.

// recoveryHold keeps a recovered replica's view-change timers from running before it has
// heard from its peers: its links come up one by one after the restart, and a leader it has
// not heard yet is not a silent leader.
type recoveryHold struct {
	on    bool
	until uint64 // the hold ends at this tick at the latest
	heard []bool // replicas whose STATUS arrived since the restart, by NodeID (n+1 entries)
	count int    // how many of heard are set
}

// peerView is the view a replica reported in its last STATUS.
type peerView struct {
	view     View
	changing bool
}

// startHold holds the timers of a replica just recovered from its data: until STATUS came
// from 2f peers including the leader of its view, at most leaderGraceTicks after the 2f-th
// peer and maxHoldTicks after the restart. The leader is waited for: a link comes up when its
// lower-id end redials, after a backoff that grew while this replica was down, and a replica
// that timed its leader out meanwhile stranded itself alone in the next view (seen with real
// processes, a third of the restarts of the next leader's successor, when the hold ended a
// view-change timeout after the 2f-th peer and the redial backoff reached 2 s). Joining a view
// change that f+1 ask for is never held.
func (r *Replica) startHold() {
	r.vc.hold = recoveryHold{on: true, until: r.now + r.maxHoldTicks(), heard: make([]bool, r.cfg.N+1)}
}

// maxHoldTicks bounds the hold when fewer than 2f peers are ever heard: the longest
// view-change timeout (the base doubled maxBackoffShift times).
func (r *Replica) maxHoldTicks() uint64 {
	return uint64(r.cfg.ViewChangeTicks) << maxBackoffShift
}

// noteHeard records a peer's STATUS for the hold. Once 2f peers and the leader were heard the
// hold ends and the timers start afresh: a leader then silent to this replica alone is timed
// out as usual. A faulty peer can end the hold early only by talking (the timers then run as
// without the hold), and a faulty or dead leader prolongs it only by leaderGraceTicks.
func (r *Replica) noteHeard(from NodeID) {
	h := &r.vc.hold
	if !h.on || from == r.cfg.ID || h.heard[from] {
		return
	}
	h.heard[from] = true
	h.count++
	if h.count == 2*r.cfg.F {
		h.until = min(h.until, r.now+leaderGraceTicks(r.cfg))
	}
}

// leaderGraceTicks is how long the hold waits for the leader once 2f peers were heard: twice
// the view-change timeout, longer than the lower-id end's redial backoff towards a replica
// (500 ms, transport) and a STATUS period after it. If the leader is really gone, the
// replicas that restarted with it time it out after this, not after the 3.2 s bound.
func leaderGraceTicks(cfg Config) uint64 { return 2 * uint64(cfg.ViewChangeTicks) }

// holding reports whether the recovered replica's timers are still held, and ends the hold
// when its conditions are met.
func (r *Replica) holding() bool {
	h := &r.vc.hold
	if !h.on {
		return false
	}
	leader := r.Leader()
	if r.now < h.until && (h.count < 2*r.cfg.F || (leader != r.cfg.ID && !h.heard[leader])) {
		return true
	}
	h.on = false
	r.logf("view-change timers run: heard %d peers since the restart", h.count)
	return false
}

// notePeerView records the view a peer reported in its STATUS.
func (r *Replica) notePeerView(from NodeID, m *Status) {
	if r.vc.peers == nil {
		r.vc.peers = make([]peerView, r.cfg.N+1)
	}
	r.vc.peers[from] = peerView{view: m.View, changing: m.Changing}
}

// establishedByPeers reports whether f+1 peers (so at least one honest) reported in their
// last STATUS that a view at least v is established (its NEW-VIEW accepted). A replica
// changing into v then knows the NEW-VIEW exists; it waits for it (the leader answers its
// STATUS, answerLagging) instead of timing v out alone (viewChangeTick).
func (r *Replica) establishedByPeers(v View) bool {
	n := 0
	for id, p := range r.vc.peers {
		if NodeID(id) != r.cfg.ID && p.view >= v && !p.changing {
			n++
		}
	}
	return n >= r.cfg.F+1
}

// lagsBehind reports whether a peer's STATUS shows it behind this replica's active view: in a
// lower view, or changing into this one (it missed the NEW-VIEW).
func (r *Replica) lagsBehind(m *Status) bool {
	return r.viewActive && (m.View < r.view || (m.View == r.view && m.Changing))
}

// answerLagging sends the NEW-VIEW of the current view to a replica whose STATUS shows it
// behind (lagsBehind): restarted, or cut off during the view change. It verifies the NEW-VIEW
// (onNewView) and enters the view at once, voting again. Only the leader that sent the
// NEW-VIEW answers: a NEW-VIEW is accepted from its view's leader only, and a replica cut off
// from that leader could not vote in the view anyway. The first STATUS is answered at once,
// repeats with a gap that starts at StatusTicks and doubles (up to maxHoldTicks), so that a
// replica that lies about its view costs a few NEW-VIEWs, not one per STATUS period. View 1
// has no NEW-VIEW and needs none.
func (r *Replica) answerLagging(to NodeID) {
	nv := r.vc.lastNewView
	if !r.viewActive || nv == nil || nv.View != r.view || to == r.cfg.ID {
		return
	}
	if r.vc.lagging == nil {
		r.vc.lagging = make(map[NodeID]repeatAnswer, r.cfg.N)
	}
	a, ok := r.vc.lagging[to]
	if ok && r.now-a.at < a.gap {
		return
	}
	gap := uint64(r.cfg.StatusTicks)
	if ok {
		gap = min(2*a.gap, r.maxHoldTicks())
	}
	r.vc.lagging[to] = repeatAnswer{at: r.now, gap: gap}
	r.send(to, nv)
}
