package client

import (
	"context"
	"fmt"
	"time"
)

// stoppedTimer returns a timer that is not running, for Reset to arm.
func stoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// deadline is when a call starting now must end (Options.CallTimeout); zero for none.
func (c *Client) deadline() time.Time {
	if c.timeout <= 0 {
		return time.Time{}
	}
	return time.Now().Add(c.timeout)
}

// past reports whether deadline is set and has passed.
func past(deadline time.Time) bool {
	return !deadline.IsZero() && !time.Now().Before(deadline)
}

// arm sets the client timer to expire after d, or at deadline if that comes first: one
// timer serves the retransmissions and the call's bound, and a waiter that sees it expire
// tells them apart with past.
func (c *Client) arm(d time.Duration, deadline time.Time) {
	if !deadline.IsZero() {
		d = min(d, time.Until(deadline))
	}
	c.timer.Reset(d)
}

// pauseBeforeRetry waits readRetryDelay before a split read is asked again.
func (c *Client) pauseBeforeRetry(ctx context.Context, deadline time.Time) error {
	d := readRetryDelay
	if !deadline.IsZero() {
		d = min(d, time.Until(deadline))
	}
	c.pause.Reset(d)
	select {
	case <-c.pause.C:
		if past(deadline) {
			return fmt.Errorf("client %s: read: %w", c.id, context.DeadlineExceeded)
		}
		return nil
	case <-ctx.Done():
		c.pause.Stop()
		return fmt.Errorf("client %s: read: %w", c.id, ctx.Err())
	}
}
