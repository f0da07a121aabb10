package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/wire"
)

// Submit orders op through the cluster and returns the result that 2f+1 replicas agree on
// (replyQuorum: so that every later read sees it, docs/protocol.md "Linearizability"). It
// sends the request to the leader it believes in and, each time the client timer expires,
// re-sends the same request to every replica. It returns an error wrapping ctx.Err() when ctx
// ends first (or context.DeadlineExceeded after Options.CallTimeout): the request may still
// execute later.
func (c *Client) Submit(ctx context.Context, op []byte) (Outcome, error) {
	if err := checkOp(op); err != nil {
		return Outcome{}, err
	}
	deadline := c.deadline()
	if err := c.acquire(ctx, deadline); err != nil {
		return Outcome{}, err
	}
	defer c.release()
	start := time.Now()
	rep, err := c.ordered(ctx, op, deadline)
	if err != nil {
		return Outcome{}, err
	}
	return outcome(rep, start), nil
}

// Read answers a read-only op from the replicas' executed state: it multicasts the request
// and needs 2f+1 matching replies. When 2f+1 replicas answer without agreeing (some had not
// executed the latest write yet) it asks again after readRetryDelay, up to readRetries times.
// If no 2f+1 matching replies arrive before the client timer expires, it orders op like
// Submit, under a new timestamp.
func (c *Client) Read(ctx context.Context, op []byte) (Outcome, error) {
	if err := checkOp(op); err != nil {
		return Outcome{}, err
	}
	deadline := c.deadline()
	if err := c.acquire(ctx, deadline); err != nil {
		return Outcome{}, err
	}
	defer c.release()
	start := time.Now()
	c.arm(c.retransmit, deadline)
	defer c.timer.Stop()
	for attempt := 0; ; attempt++ {
		t, frame, err := c.begin(op, true)
		if err != nil {
			return Outcome{}, err
		}
		c.conn.Broadcast(frame)
		retry, err := c.awaitRead(ctx, t, deadline, attempt < readRetries)
		rep := c.end()
		if err != nil {
			return Outcome{}, err
		}
		if rep != nil {
			return outcome(rep, start), nil
		}
		if !retry {
			break
		}
		if err := c.pauseBeforeRetry(ctx, deadline); err != nil {
			return Outcome{}, err
		}
	}
	c.log.Debug().Msgf("client %s read: no %d matching replies, ordering it", c.id, 2*c.f+1)
	rep, err := c.ordered(ctx, op, deadline)
	if err != nil {
		return Outcome{}, err
	}
	return outcome(rep, start), nil
}

// maxBackoff bounds the growth of the retransmission timer of an ordered request.
const maxBackoff = 8

// Reads that find the replicas split are retried this many times, this long apart.
const (
	readRetries    = 3
	readRetryDelay = 5 * time.Millisecond
)

// awaitRead waits for one read attempt: accepted, split (retry), or the client timer (order it).
func (c *Client) awaitRead(ctx context.Context, t uint64, deadline time.Time, mayRetry bool) (retry bool, err error) {
	for {
		select {
		case <-c.wake:
			accepted, split, err := c.progress()
			if err != nil {
				return false, err
			}
			if accepted != nil {
				return false, nil
			}
			if split && mayRetry {
				return true, nil
			}
		case <-c.timer.C:
			if past(deadline) {
				return false, fmt.Errorf("client %s: read t=%d: %w", c.id, t, context.DeadlineExceeded)
			}
			return false, nil
		case <-ctx.Done():
			return false, fmt.Errorf("client %s: read t=%d: %w", c.id, t, ctx.Err())
		case <-c.closed:
			return false, ErrClosed
		}
	}
}

func outcome(rep *pbft.Reply, start time.Time) Outcome {
	return Outcome{Result: rep.Result, Seq: rep.Seq, View: rep.View, Latency: time.Since(start), ReadOnly: rep.ReadOnly}
}

// acquire waits for the client's turn: one request outstanding at a time.
func (c *Client) acquire(ctx context.Context, deadline time.Time) error {
	select {
	case <-c.closed:
		return ErrClosed
	default:
	}
	if ctx.Err() == nil {
		select {
		case c.turn <- struct{}{}:
			return nil
		default:
		}
	}
	var expired <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		expired = t.C
	}
	select {
	case c.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("client %s: waiting for the previous request: %w", c.id, ctx.Err())
	case <-expired:
		return fmt.Errorf("client %s: waiting for the previous request: %w", c.id, context.DeadlineExceeded)
	case <-c.closed:
		return ErrClosed
	}
}

func (c *Client) release() { <-c.turn }

// ordered sends an ordered request to the leader and waits for 2f+1 matching replies,
// re-sending it to every replica whenever the client timer (rtoEstimator) expires. The timer
// doubles after each expiry, up to maxBackoff times the configured one: under overload, when
// requests take longer than the timer, clients that re-sent every period would multiply the
// load (every replica checks and forwards each copy).
func (c *Client) ordered(ctx context.Context, op []byte, deadline time.Time) (*pbft.Reply, error) {
	t, frame, err := c.begin(op, false)
	if err != nil {
		return nil, err
	}
	defer c.end()
	c.sendOrdered(frame)
	sent, period, resent := time.Now(), c.rto.timeout(), false
	c.arm(period, deadline)
	defer c.timer.Stop()
	for {
		select {
		case <-c.wake:
			accepted, _, err := c.progress()
			if err != nil {
				return nil, err
			}
			if accepted != nil {
				if resent {
					c.rto.backedOff(period)
				} else {
					c.rto.sample(time.Since(sent))
				}
				return accepted, nil
			}
		case <-c.timer.C:
			if past(deadline) {
				return nil, fmt.Errorf("client %s: request t=%d: %w", c.id, t, context.DeadlineExceeded)
			}
			c.log.Debug().Msgf("client %s t=%d: timer expired, sending to every replica", c.id, t)
			c.conn.Broadcast(frame)
			resent = true
			period = min(2*period, maxBackoff*c.retransmit)
			c.arm(period, deadline)
		case <-ctx.Done():
			return nil, fmt.Errorf("client %s: request t=%d: %w", c.id, t, ctx.Err())
		case <-c.closed:
			return nil, ErrClosed
		}
	}
}

// sendOrdered sends a new ordered request to the leader, and also to every replica the client
// has no open connection with: replicas reply on the client's connection, so each needs one.
// This is what opens them on the first request; later requests go to the leader alone.
func (c *Client) sendOrdered(frame []byte) {
	leader := c.leader()
	c.conn.Send(leader, frame)
	for _, id := range c.conn.unreached() {
		if id != leader {
			c.conn.Send(id, frame)
		}
	}
}

// begin signs a new request, makes it the outstanding call and returns its timestamp and
// frame.
func (c *Client) begin(op []byte, readOnly bool) (uint64, []byte, error) {
	c.mu.Lock()
	t := c.nextTimestamp()
	c.call.reset(t, readOnly, replyQuorum(c.f), pbft.OpDigest(op))
	c.open = true
	select {
	case <-c.wake: // a token of the previous call that its waiter did not take
	default:
	}
	c.mu.Unlock()
	req := &pbft.Request{Client: c.id, Timestamp: t, Op: op, ReadOnly: readOnly}
	auth.SignRequest(c.key, req)
	frame, err := wire.AppendRequestFrame(nil, req) // its own buffer: kept for retransmission
	if err != nil {
		c.end()
		return 0, nil, fmt.Errorf("client %s: %w", c.id, err)
	}
	return t, frame, nil
}

// end retires the outstanding call, moves to the view that f+1 of its replies reached and
// returns the accepted reply, nil if none.
func (c *Client) end() *pbft.Reply {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open = false
	if v := c.call.safeView(c.f); v > c.view {
		c.view = v
	}
	return c.call.accepted
}

// progress reports the accepted reply of the outstanding call and whether it is split; an
// error if f+1 replicas answered its timestamp with another operation (ErrTimestampReused).
func (c *Client) progress() (accepted *pbft.Reply, split bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.call.reused() {
		return nil, false, fmt.Errorf("client %s: request t=%d: %w", c.id, c.call.t, ErrTimestampReused)
	}
	return c.call.accepted, c.call.split, nil
}

// ErrTimestampReused is returned when the replicas executed another operation under the
// request's timestamp: the client's key signed two operations with one timestamp (two
// processes sharing a key), and only the first one executed. The request's own operation did
// not execute and never will under that timestamp.
var ErrTimestampReused = errors.New("the replicas executed another operation signed with this timestamp")

// replyQuorum is the number of matching replies that complete a request, ordered or read-only:
// 2f+1. Then at least f+1 honest replicas executed a completed write, and any 2f+1 replies to a
// later read include one of them, so no value older than the write can gather 2f+1 matching
// replies (f+1 would let f faulty replicas and one honest one complete a write that f+1
// lagging honest replicas and the f faulty ones then hide from a read: issue 17).
func replyQuorum(f int) int { return 2*f + 1 }

// ErrOpTooLarge is returned for an operation the replicas would refuse (over pbft.MaxOpBytes).
var ErrOpTooLarge = errors.New("operation too large")

func checkOp(op []byte) error {
	if len(op) > pbft.MaxOpBytes {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrOpTooLarge, len(op), pbft.MaxOpBytes)
	}
	return nil
}
