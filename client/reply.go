package client

import (
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// onReply handles a frame from replica from, on the connection's reader goroutine. Every
// request gets a reply from each of the n replicas but needs only 2f+1, so
// most replies arrive after their call was accepted: they are dropped before the MAC check.
// A reply is decoded into a stack value and the call keeps a copy: no allocation.
func (c *Client) onReply(from pbft.NodeID, frame []byte) {
	var got pbft.Reply
	if err := wire.DecodeReplyFor(frame, c.id, &got); err != nil {
		c.log.Debug().Err(err).Msgf("client %s: undecodable reply from %s", c.id, from)
		return
	}
	if got.Replica != from || !c.wants(got.Timestamp, got.ReadOnly) {
		return
	}
	if err := c.verifier.VerifyReply(&got); err != nil {
		c.log.Debug().Err(err).Msgf("client %s: bad reply signature from %s", c.id, from)
		return
	}
	c.mu.Lock()
	if c.open && c.call.add(&got) {
		c.notify()
	}
	c.mu.Unlock()
}

// wants reports whether a reply with timestamp t and flag readOnly answers the outstanding
// call.
func (c *Client) wants(t uint64, readOnly bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open && c.call.wants(t, readOnly)
}

// notify wakes the waiter of the outstanding call; c.mu is held. The token is never
// stale: begin drains it, under c.mu, when it starts the next request.
func (c *Client) notify() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}
