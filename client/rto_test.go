package client

import (
	"testing"
	"time"
)

// TestRTOEstimator checks the client timer's adaptation: the configured timer before any
// sample, srtt + 4·rttvar within [minRetransmit, configured] after, a backed-off timer kept
// until the next clean sample, and a slower cluster raising it.
func TestRTOEstimator(t *testing.T) {
	ms := time.Millisecond
	e := rtoEstimator{ceiling: 500 * ms}
	if got := e.timeout(); got != 500*ms {
		t.Fatalf("before samples: %v, want the configured 500ms", got)
	}
	for range 50 {
		e.sample(20 * ms)
	}
	if got := e.timeout(); got != minRetransmit {
		t.Fatalf("steady 20ms latency: %v, want the floor %v", got, minRetransmit)
	}
	e.backedOff(400 * ms)
	if got := e.timeout(); got != 400*ms {
		t.Fatalf("after a retransmitted request: %v, want the backed-off 400ms", got)
	}
	e.sample(20 * ms)
	if got := e.timeout(); got != minRetransmit {
		t.Fatalf("after a clean sample: %v, want %v", got, minRetransmit)
	}
	for range 50 {
		e.sample(90 * ms)
	}
	if got := e.timeout(); got <= 90*ms || got >= 300*ms {
		t.Fatalf("steady 90ms latency: %v, want a little above it", got)
	}
	for range 50 {
		e.sample(2 * time.Second)
	}
	if got := e.timeout(); got != 500*ms {
		t.Fatalf("latency above the configured timer: %v, want the ceiling 500ms", got)
	}
	e.backedOff(4 * time.Second)
	if got := e.timeout(); got != 500*ms {
		t.Fatalf("backoff above the ceiling: %v, want 500ms", got)
	}
}
