package transport

import (
	"math/rand/v2"
	"time"
)

// backoff is the exponential delay between attempts to reach a peer.
type backoff struct {
	min, max time.Duration
	next     time.Duration
}

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max, next: min} }

func (b *backoff) reset() { b.next = b.min }

// wait sleeps the current delay (±25% jitter, so that peers do not retry in lockstep) and
// doubles it; it returns false at once if done closes.
func (b *backoff) wait(done <-chan struct{}) bool {
	d := b.next
	if quarter := int64(d / 4); quarter > 0 {
		d += time.Duration(rand.Int64N(2*quarter+1) - quarter)
	}
	b.next = min(2*b.next, b.max)
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-done:
		return false
	}
}
