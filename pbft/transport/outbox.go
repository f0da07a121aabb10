package transport

import "sync/atomic"

// outbox is the bounded queue of frames to one destination, with its counters. It is bounded
// twice: in frames (the channel's capacity) and in bytes, so that a dead peer's queue of large
// pre-prepares cannot hold hundreds of megabytes.
type outbox struct {
	frames   chan []byte
	bytes    atomic.Int64 // bytes of the frames in the channel
	maxBytes int64
	sent     atomic.Uint64
	dropped  atomic.Uint64
}

func newOutbox(frames int, maxBytes int) *outbox {
	return &outbox{frames: make(chan []byte, frames), maxBytes: int64(maxBytes)}
}

// offer queues frame without blocking; a full queue drops it. A frame larger than the byte
// bound still goes when the queue holds no bytes (a snapshot for a lagging peer may be).
func (o *outbox) offer(frame []byte) bool {
	n := int64(len(frame))
	if total := o.bytes.Add(n); total > o.maxBytes && total != n {
		o.bytes.Add(-n)
		o.dropped.Add(1)
		return false
	}
	select {
	case o.frames <- frame:
		return true
	default:
		o.bytes.Add(-n)
		o.dropped.Add(1)
		return false
	}
}

// took accounts for a frame the writer took from the channel.
func (o *outbox) took(frame []byte) { o.bytes.Add(-int64(len(frame))) }
