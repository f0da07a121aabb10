package sim

import (
	"fmt"
	"strings"

	"github.com/bftbank/pbft/pbft"
)

// faultySend decides whether a faulty replica's message reaches honest replica `to`. The
// faulty replicas always hear each other (they collude).
func (a *Adversary) faultySend(from, to pbft.NodeID, m pbft.Message) bool {
	if a.isBad[to] {
		return true
	}
	if st, ok := a.stalled[from]; ok && a.s.Now() >= st.from && a.silencedBy(from, st.view, m) {
		if c, isCert := m.(*pbft.Cert); isCert {
			a.logOnce(subsetKey{"withheld " + c.Type.String(), c.View, c.Seq}, "v%d s%d %s withheld (%s stalled)", c.View, c.Seq, c.Type, from)
		}
		return false
	}
	if fr, ok := m.(*pbft.FetchReply); ok && len(fr.Slots) > 0 {
		first := fr.Slots[0].Cert
		a.logOnce(subsetKey{fmt.Sprint("fetch ", from, to), first.View, first.Seq},
			"%s serves %d committed slots from s%d (%s) to %s", from, len(fr.Slots), first.Seq, first.Type, to)
	}
	if fr, ok := m.(*pbft.FetchReply); ok && a.lie != nil {
		if lie := a.lyingFetchReply(fr); lie != nil {
			a.inject(from, to, lie)
			return false
		}
	}
	switch m := m.(type) {
	case *pbft.PrePrepare:
		if p := a.plan(m.View); p.leader == from {
			return a.hears(subsetKey{"PRE-PREPARE", m.View, m.Seq}, p.ppSize, to)
		}
	case *pbft.Cert:
		return a.sendCert(from, to, m)
	case *pbft.NewView:
		p := a.plan(m.View)
		if p.stallAfterNV {
			a.stall(from, m.View)
		}
		return a.hears(subsetKey{"NEW-VIEW", m.View, 0}, p.nvSize, to)
	case *pbft.ViewChange:
		return a.sendViewChange(from, to, m)
	}
	return true
}

// sendCert shows a faulty collector's certificate to the plan's subset, and stalls the
// leader once it formed enough commit certificates.
func (a *Adversary) sendCert(from, to pbft.NodeID, c *pbft.Cert) bool {
	p := a.plan(c.View)
	if p.leader != from {
		return true
	}
	key := subsetKey{c.Type.String(), c.View, c.Seq}
	_, seen := a.subsets[key]
	if !seen {
		a.choose(key, a.certRecipients(p, c))
	}
	hears := a.subsets[key][to]
	if !seen && c.Type != pbft.PrepareCert {
		p.formed++
		if p.stallAfter > 0 && p.formed >= p.stallAfter {
			a.stall(from, c.View)
		}
	}
	return hears
}

// stall makes faulty replica id silent in every view up to v (its VIEW-CHANGEs for later
// views and its NEW-VIEWs still go out). It takes effect from the next tick, so that the
// message being sent completes its broadcast.
func (a *Adversary) stall(id pbft.NodeID, v pbft.View) {
	if old, ok := a.stalled[id]; ok && old.view >= v {
		return
	}
	a.logf("v%d: %s stalls", v, id)
	a.stalled[id] = stallState{view: v, from: a.s.Now() + 1}
}

// stallState is a stalled faulty replica's silence: every view up to view, from tick from.
type stallState struct {
	view pbft.View
	from uint64
}

// silencedBy reports whether a stalled faulty replica (silent up to view v) drops m.
func (a *Adversary) silencedBy(id pbft.NodeID, v pbft.View, m pbft.Message) bool {
	switch m := m.(type) {
	case *pbft.ViewChange:
		return m.View <= v
	case *pbft.NewView:
		return m.View <= v && a.plan(m.View).stallAfterNV
	}
	if mv, ok := messageView(m); ok {
		return mv <= v
	}
	return a.s.Replica(id).View() <= v
}

func messageView(m pbft.Message) (pbft.View, bool) {
	switch m := m.(type) {
	case *pbft.PrePrepare:
		return m.View, true
	case *pbft.Prepare:
		return m.View, true
	case *pbft.Commit:
		return m.View, true
	case *pbft.Cert:
		return m.View, true
	case *pbft.NewView:
		return m.View, true
	case *pbft.ViewChange:
		return m.View, true
	}
	return 0, false
}

// sendViewChange applies the plan's vcMode to a faulty VIEW-CHANGE.
func (a *Adversary) sendViewChange(from, to pbft.NodeID, m *pbft.ViewChange) bool {
	switch a.plan(m.View).vcMode {
	case vcWithhold:
		return false
	case vcAmnesia:
		if len(m.Prepared) == 0 && len(m.Votes) == 0 {
			return true
		}
		c := *m
		c.Prepared, c.Votes, c.Sig = nil, nil, nil
		a.inject(from, to, &c)
		return false
	}
	return true
}

// honestSend holds an honest replica's VIEW-CHANGE from the new leader when the plan says so,
// and silences an honest leader whose view the plan forces to change.
func (a *Adversary) honestSend(from, to pbft.NodeID, m pbft.Message) bool {
	if vc, ok := m.(*pbft.ViewChange); ok && to == a.leaderOf(vc.View) {
		p := a.plan(vc.View)
		a.decideHold(p)
		if containsID(p.hold, from) {
			a.hold(from, to, m, vc.View)
			return false
		}
		return true
	}
	mv, ok := messageView(m)
	if !ok {
		return true
	}
	if _, isVC := m.(*pbft.ViewChange); isVC {
		return true
	}
	if p := a.plan(mv); p.silence && from == p.leader {
		return false
	}
	return true
}

// decideHold draws which honest replicas' VIEW-CHANGE(v) reach the new leader late: mostly
// the ones that know most (a certificate with its batch), at most n - (2f+1) of them so that
// the leader can still form its quorum without them.
func (a *Adversary) decideHold(p *viewPlan) {
	if p.holdDecided {
		return
	}
	p.holdDecided = true
	k := pick(a.rng, []int{10, 30, 60})
	k = min(k, a.s.N-2*a.s.opts.F-1)
	var cands []pbft.NodeID
	for _, id := range a.honest() {
		if id != p.leader {
			cands = append(cands, id)
		}
	}
	a.rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	if a.rng.Intn(5) > 0 {
		scores := map[pbft.NodeID]int{}
		for _, id := range cands {
			scores[id] = a.score(id)
		}
		sortStable(cands, func(x, y pbft.NodeID) bool { return scores[x] > scores[y] })
	}
	p.hold = append([]pbft.NodeID(nil), cands[:min(k, len(cands))]...)
	sortIDs(p.hold)
	if len(p.hold) > 0 {
		a.logf("v%d: hold VIEW-CHANGEs of %v from leader %s (scores %s)", p.v, p.hold, p.leader, a.scores())
	}
}

// scores prints every honest replica's knowledge score, e.g. "n3:4 n4:1".
func (a *Adversary) scores() string {
	out := ""
	for _, id := range a.honest() {
		out += fmt.Sprintf(" %s:%d", id, a.score(id))
	}
	return strings.TrimSpace(out)
}

// hold keeps an honest message until its recipient has entered a view past v.
func (a *Adversary) hold(from, to pbft.NodeID, m pbft.Message, v pbft.View) {
	if len(a.held) >= maxHeld {
		a.held = a.held[1:]
	}
	a.held = append(a.held, heldMsg{from: from, to: to, m: m, view: v, until: a.s.Now() + 4000})
}

// release delivers the held messages whose recipient entered their view (or whose time is up).
func (a *Adversary) release() {
	kept := a.held[:0]
	for _, h := range a.held {
		r := a.s.Replica(h.to)
		if r.View() > h.view || (r.View() == h.view && r.ViewActive()) || a.s.Now() >= h.until {
			a.inject(h.from, h.to, h.m)
			continue
		}
		kept = append(kept, h)
	}
	a.held = kept
}

func containsID(ids []pbft.NodeID, id pbft.NodeID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// logOnce logs a line the first time key is seen.
func (a *Adversary) logOnce(key subsetKey, format string, args ...any) {
	if _, done := a.subsets[key]; done {
		return
	}
	a.subsets[key] = nil
	a.logf(format, args...)
}

// mostKnowing is the honest replica with the highest score (ties: the lowest id), the one a
// targeted restart hits.
func (a *Adversary) mostKnowing() pbft.NodeID {
	best, bestScore := pbft.NodeID(0), -1
	for _, id := range a.honest() {
		if sc := a.score(id); sc > bestScore {
			best, bestScore = id, sc
		}
	}
	return best
}

// lyingFetchReply returns a faulty replica's FETCH-REPLY changed within what its keys allow
// (certificates cannot be forged, only reused): a slot's batch swapped for another slot's, a
// slot dropped or slots reordered, a committed slot presented under another slot's
// certificate, the snapshot's state garbled, or an older snapshot (with its genuine older
// certificate) served instead. nil: this reply goes out as it is. The catch-up of an honest
// replica must install nothing that is not what its certificate names.
func (a *Adversary) lyingFetchReply(fr *pbft.FetchReply) *pbft.FetchReply {
	if sn := fr.Snapshot; sn != nil && (len(a.oldSnaps) == 0 || a.oldSnaps[len(a.oldSnaps)-1].Cert.Seq < sn.Cert.Seq) {
		a.oldSnaps = append(a.oldSnaps, sn)
	}
	if a.lie.Intn(2) == 0 {
		return nil
	}
	lie := &pbft.FetchReply{Snapshot: fr.Snapshot, Slots: append([]pbft.CommittedSlot(nil), fr.Slots...)}
	n := len(lie.Slots)
	switch k := a.lie.Intn(6); {
	case k == 0 && n >= 2:
		i, j := a.lie.Intn(n), a.lie.Intn(n)
		lie.Slots[i].PrePrepare.Batch = lie.Slots[j].PrePrepare.Batch
		lie.Slots[i].PrePrepare.Digest = pbft.BatchDigest(lie.Slots[j].PrePrepare.Batch)
	case k == 1 && n >= 2:
		i := a.lie.Intn(n)
		lie.Slots = append(lie.Slots[:i], lie.Slots[i+1:]...)
	case k == 2 && n >= 2:
		a.lie.Shuffle(n, func(i, j int) { lie.Slots[i], lie.Slots[j] = lie.Slots[j], lie.Slots[i] })
	case k == 3 && n >= 2:
		i, j := a.lie.Intn(n), a.lie.Intn(n)
		lie.Slots[i].Cert = lie.Slots[j].Cert
	case k == 4 && fr.Snapshot != nil:
		garbled := *fr.Snapshot
		garbled.State = append([]byte(nil), garbled.State...)
		if len(garbled.State) > 0 {
			garbled.State[a.lie.Intn(len(garbled.State))] ^= 0x5a
		}
		lie.Snapshot = &garbled
	case k == 5 && len(a.oldSnaps) > 0:
		lie.Snapshot = a.oldSnaps[a.lie.Intn(len(a.oldSnaps))]
	default:
		return nil
	}
	restartStats.lies++
	return lie
}
