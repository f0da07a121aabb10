package client

import "time"

// rtoEstimator is the client timer of ordered requests, adapted to the latency the client
// sees, as TCP's retransmission timeout is (RFC 6298): timeout = smoothed latency + 4 × its
// mean deviation, at least minRetransmit and at most the configured timer (timers.client),
// which is also the first timeout before any sample. Only requests answered without a
// retransmission are sampled (Karn's rule); after one that needed retransmissions, the
// backed-off timeout holds until the next clean sample. So a client notices a silent leader
// within a few of its usual latencies instead of a fixed half second, which is most of what a
// request caught by a view change waits (docs/protocol.md, "Clients"), while a slower cluster
// (a WAN, heavy load) raises the timer instead of drawing retransmissions.
type rtoEstimator struct {
	srtt, rttvar time.Duration
	sampled      bool
	backoff      time.Duration // the backed-off timeout kept until the next clean sample
	ceiling      time.Duration // the configured timer
}

// minRetransmit is the lowest timeout: below it, latency spikes under load (a checkpoint, a
// collection) would make clients re-send requests that are on their way.
const minRetransmit = 150 * time.Millisecond

// timeout is the timer for the next request.
func (e *rtoEstimator) timeout() time.Duration {
	if !e.sampled {
		return e.ceiling
	}
	t := min(e.ceiling, max(minRetransmit, e.srtt+4*e.rttvar))
	return max(t, e.backoff)
}

// sample records the latency of a request answered without a retransmission.
func (e *rtoEstimator) sample(d time.Duration) {
	e.backoff = 0
	if !e.sampled {
		e.srtt, e.rttvar, e.sampled = d, d/2, true
		return
	}
	dev := e.srtt - d
	if dev < 0 {
		dev = -dev
	}
	e.rttvar = (3*e.rttvar + dev) / 4
	e.srtt = (7*e.srtt + d) / 8
}

// backedOff records that a request needed retransmissions, the last timer being period.
func (e *rtoEstimator) backedOff(period time.Duration) { e.backoff = min(period, e.ceiling) }
