package pbft

// collectorState is the adaptive fast-path wait (the fast path is step 3 of docs/protocol.md,
// "Normal case") and the slots whose wait is armed.
type collectorState struct {
	armed      []Seq // slots waiting for all n σ-shares, in arming order
	slowStreak int   // consecutive slots that fell back to the slow path
	sinceProbe int   // slots since the collector last paid the wait while skipping it
	window     int   // the current fast-path wait in ticks (0: FastPathTicks)
	// suspects are replicas whose share failed verification, with the slot where it did. For
	// probeEvery slots after that their shares are combined last (so that 2f+1 good shares
	// combine at the first try) and the fast path, which needs every share, is not tried.
	suspects map[NodeID]Seq
}

// After slowStreakLimit consecutive fallbacks the collector stops waiting for the σ-shares
// of an absent replica, and waits again only on one slot in probeEvery, to notice its return.
const (
	slowStreakLimit = 2
	probeEvery      = 16
)

// shouldWait decides whether the collector pays the fast-path wait for the next slot.
func (c *collectorState) shouldWait() bool {
	if c.slowStreak < slowStreakLimit {
		return true
	}
	c.sinceProbe++
	if c.sinceProbe >= probeEvery {
		c.sinceProbe = 0
		return true
	}
	return false
}

// expectSlow reports whether the collector expects slot s to take the slow path, and so asks
// for τ-shares with the pre-prepare: without the fast-path wait (FastPathTicks 0), while an
// absent replica keeps it on the slow path (probes included: a probe that fails then costs no
// extra round), or while a replica is suspected of bad shares. Otherwise backups send their
// σ-share only, and the collector asks for τ-shares when the fast path fails (askTau): each
// replica then saves a τ-share signature (a scalar multiplication in G1) on almost every slot.
func (c *collectorState) expectSlow(cfg *Config, s Seq) bool {
	return cfg.FastPathTicks == 0 || c.slowStreak >= slowStreakLimit || c.anySuspect(cfg.N, s)
}

// wait is the fast-path wait for the next slot: FastPathTicks, or longer while the last
// σ-shares have been arriving late.
func (c *collectorState) wait(cfg *Config) int {
	return max(c.window, cfg.FastPathTicks)
}

// observeLast adapts the wait to a slot whose last σ-share arrived late ticks after the
// τ-quorum. A replica whose share arrives at all is slow, not absent: the collector resets the
// fallback streak (so it waits again), lengthens the wait at once to twice such a delay, up
// to MaxFastPathTicks, and shortens it slowly (1/16 of the gap per slot) when shares come
// back earlier. The fast path saves
// a whole round (COMMIT shares, a second combination and a second certificate check on every
// replica), which is worth a few ticks of waiting.
func (c *collectorState) observeLast(late int, cfg *Config) {
	if cfg.FastPathTicks == 0 {
		return
	}
	c.slowStreak = 0
	limit := cfg.MaxFastPathTicks
	if limit == 0 {
		limit = 10 * cfg.FastPathTicks
	}
	target := 2*late + 1
	cur := c.wait(cfg)
	if target > cur {
		c.window = min(limit, target)
		return
	}
	c.window = max(cfg.FastPathTicks, cur-(cur-target+15)/16)
}

// noteBadShares counts the shares a combination found bad, suspects their senders (suspect)
// and hands each sender to forget, which drops its share from the set that was combined.
func (r *Replica) noteBadShares(m *Combined, forget func(NodeID)) {
	r.stats.BadShares += uint64(len(m.Bad))
	for _, id := range m.Bad {
		r.collector.suspect(id, m.Job.Seq)
		forget(id)
	}
}

// suspect records that replica id gave a bad share for slot s.
func (c *collectorState) suspect(id NodeID, s Seq) {
	if c.suspects == nil {
		c.suspects = map[NodeID]Seq{}
	}
	c.suspects[id] = max(c.suspects[id], s)
}

// suspected reports whether id gave a bad share in the probeEvery slots before s.
func (c *collectorState) suspected(id NodeID, s Seq) bool {
	last, ok := c.suspects[id]
	return ok && s <= last+probeEvery
}

// anySuspect reports whether some replica is suspected at slot s.
func (c *collectorState) anySuspect(n int, s Seq) bool {
	for id := NodeID(1); int(id) <= n; id++ {
		if c.suspected(id, s) {
			return true
		}
	}
	return false
}
