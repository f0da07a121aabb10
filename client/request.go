package client

import (
	"context"
	"fmt"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/wire"
)

// Submit orders op through the cluster and returns the result that f+1 replicas agree on. It
// sends the request to the leader it believes in and, each time the client timer expires,
// re-sends the same request to every replica. It returns an error wrapping ctx.Err() when ctx
// ends first: the request may still execute later.
func (c *Client) Submit(ctx context.Context, op []byte) (Outcome, error) {
	if err := c.acquire(ctx); err != nil {
		return Outcome{}, err
	}
	defer c.release()
	start := time.Now()
	rep, err := c.ordered(ctx, op)
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
	if err := c.acquire(ctx); err != nil {
		return Outcome{}, err
	}
	defer c.release()
	start := time.Now()
	timer := time.NewTimer(c.retransmit)
	defer timer.Stop()
	for attempt := 0; ; attempt++ {
		k, frame, err := c.begin(op, true)
		if err != nil {
			return Outcome{}, err
		}
		c.conn.Broadcast(frame)
		retry, err := c.awaitRead(ctx, k, timer.C, attempt < readRetries)
		c.end(k)
		if err != nil {
			return Outcome{}, err
		}
		if k.accepted != nil {
			return outcome(k.accepted, start), nil
		}
		if !retry {
			break
		}
		select {
		case <-time.After(readRetryDelay):
		case <-ctx.Done():
			return Outcome{}, fmt.Errorf("client %s: read: %w", c.id, ctx.Err())
		}
	}
	c.log.Debug().Msgf("client %s read: no %d matching replies, ordering it", c.id, 2*c.f+1)
	rep, err := c.ordered(ctx, op)
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
func (c *Client) awaitRead(ctx context.Context, k *call, timeout <-chan time.Time, mayRetry bool) (retry bool, err error) {
	split := k.split
	if !mayRetry {
		split = nil
	}
	select {
	case <-k.done:
		return false, nil
	case <-split:
		return true, nil
	case <-timeout:
		return false, nil
	case <-ctx.Done():
		return false, fmt.Errorf("client %s: read t=%d: %w", c.id, k.t, ctx.Err())
	case <-c.closed:
		return false, ErrClosed
	}
}

func outcome(rep *pbft.Reply, start time.Time) Outcome {
	return Outcome{Result: rep.Result, Seq: rep.Seq, View: rep.View, Latency: time.Since(start), ReadOnly: rep.ReadOnly}
}

// acquire waits for the client's turn: one request outstanding at a time.
func (c *Client) acquire(ctx context.Context) error {
	select {
	case <-c.closed:
		return ErrClosed
	default:
	}
	select {
	case c.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("client %s: waiting for the previous request: %w", c.id, ctx.Err())
	case <-c.closed:
		return ErrClosed
	}
}

func (c *Client) release() { <-c.turn }

// ordered sends an ordered request to the leader and waits for f+1 matching replies,
// re-sending it to every replica whenever the client timer expires. The timer doubles after
// each expiry, up to maxBackoff times the first: under overload, when requests take longer
// than the timer, clients that re-sent every period would multiply the load (every replica
// checks and forwards each copy).
func (c *Client) ordered(ctx context.Context, op []byte) (*pbft.Reply, error) {
	k, frame, err := c.begin(op, false)
	if err != nil {
		return nil, err
	}
	defer c.end(k)
	c.sendOrdered(frame)
	period := c.retransmit
	timer := time.NewTimer(period)
	defer timer.Stop()
	for {
		select {
		case <-k.done:
			return k.accepted, nil
		case <-timer.C:
			c.log.Debug().Msgf("client %s t=%d: timer expired, sending to every replica", c.id, k.t)
			c.conn.Broadcast(frame)
			period = min(2*period, maxBackoff*c.retransmit)
			timer.Reset(period)
		case <-ctx.Done():
			return nil, fmt.Errorf("client %s: request t=%d: %w", c.id, k.t, ctx.Err())
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

// begin signs a new request, makes it the outstanding call and returns its frame.
func (c *Client) begin(op []byte, readOnly bool) (*call, []byte, error) {
	c.mu.Lock()
	t := c.nextTimestamp()
	quorum := c.f + 1
	if readOnly {
		quorum = 2*c.f + 1
	}
	k := newCall(t, readOnly, quorum)
	c.call = k
	c.mu.Unlock()
	req := &pbft.Request{Client: c.id, Timestamp: t, Op: op, ReadOnly: readOnly}
	auth.SignRequest(c.key, req)
	body, err := wire.EncodeRequest(req)
	if err != nil {
		c.end(k)
		return nil, nil, fmt.Errorf("client %s: %w", c.id, err)
	}
	frame, err := wire.EncodeFrame(wire.Frame{Client: string(c.id), Body: body})
	if err != nil {
		c.end(k)
		return nil, nil, fmt.Errorf("client %s: %w", c.id, err)
	}
	return k, frame, nil
}

// end retires call k and moves to the view that f+1 of its replies reached.
func (c *Client) end(k *call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.call == k {
		c.call = nil
	}
	if v := k.safeView(c.f); v > c.view {
		c.view = v
	}
}

// onReply handles a frame from replica from, on the connection's reader goroutine.
func (c *Client) onReply(from pbft.NodeID, frame []byte) {
	rep, err := decodeReply(frame, c.id)
	if err != nil {
		c.log.Debug().Err(err).Msgf("client %s: undecodable reply from %s", c.id, from)
		return
	}
	if rep.Replica != from || rep.Client != c.id {
		return
	}
	c.mu.Lock()
	k := c.call
	relevant := k != nil && k.wants(rep)
	c.mu.Unlock()
	if !relevant {
		return
	}
	if err := c.verifier.VerifyReply(rep); err != nil {
		c.log.Debug().Err(err).Msgf("client %s: bad reply signature from %s", c.id, from)
		return
	}
	c.mu.Lock()
	if c.call == k {
		k.add(rep)
	}
	c.mu.Unlock()
}
