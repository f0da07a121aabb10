package pbft

import "testing"

// The learned base follows the slots' latency (paceFactor times its smoothed value plus four
// deviations), never drops below the configured base, and never exceeds maxPaceScale times it:
// a faulty leader that slows its slots on purpose stretches the timers by that much at most.
func TestPaceBase(t *testing.T) {
	cases := []struct {
		name     string
		sample   uint64
		min, max int
	}{
		{"no samples", 0, 20, 20},
		{"fast slots keep the configured base", 3, 20, 20},
		{"steady 10-tick slots", 10, paceFactor * 10, paceFactor*10 + 8}, // the deviation decays to < 1 tick
		{"slots far beyond the base hit the cap", 1000, 20 * maxPaceScale, 20 * maxPaceScale},
		{"absurd latencies do not overflow", 1 << 62, 20 * maxPaceScale, 20 * maxPaceScale},
	}
	for _, c := range cases {
		var p pace
		for range 100 {
			if c.sample > 0 {
				p.observe(c.sample)
			}
		}
		if got := p.base(20); got < c.min || got > c.max {
			t.Errorf("%s: base %d, want %d..%d", c.name, got, c.min, c.max)
		}
	}
}

// A jittery pace raises the base above paceFactor times the mean: the deviation counts.
func TestPaceCountsJitter(t *testing.T) {
	var steady, jittery pace
	for i := range 200 {
		steady.observe(4)
		jittery.observe(uint64(2 + 4*(i%2)))
	}
	if s, j := steady.base(5), jittery.base(5); j <= s+paceFactor*2 {
		t.Fatalf("jittery slots (2/6 ticks) give base %d, steady 4-tick slots %d: jitter ignored", j, s)
	}
}

// The learned base and the doubling per consecutive view change together stay within
// maxTimerScale times the configured base: a base learned at its cap (8x) doubled three times
// would be 64x, and a cluster would wait that long after a partition healed.
func TestViewChangeTimeoutCapped(t *testing.T) {
	r, err := New(TestConfig(2, 1, nopApp{}))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		r.vc.pace.observe(uint64(r.cfg.ViewChangeTicks) * 100) // the learned base sits at its cap
	}
	if got, want := r.timerBase(), r.cfg.ViewChangeTicks*maxPaceScale; got != want {
		t.Fatalf("learned base %d, want the cap %d", got, want)
	}
	for v := View(2); v <= 6; v++ {
		r.startViewChange(v)
		if limit := r.cfg.ViewChangeTicks * maxTimerScale; r.vc.timeout > limit {
			t.Fatalf("view change %d: timeout %d ticks, above %d", v-1, r.vc.timeout, limit)
		}
	}
}

// nopApp is an application that holds nothing, for tests of the core alone.
type nopApp struct{}

func (nopApp) Execute(ClientID, []byte) []byte { return nil }
func (nopApp) Query([]byte) []byte             { return nil }
func (nopApp) Digest() Digest                  { return Digest{} }
func (nopApp) Snapshot() []byte                { return nil }
func (nopApp) Restore([]byte) error            { return nil }
