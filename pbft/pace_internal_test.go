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
