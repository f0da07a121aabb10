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

// offer queues frame without blocking. It drops the frame when the queue is full in frames, or
// already holds the byte bound: a frame is accepted whatever its size while fewer bytes wait,
// so a queue holds less than the bound plus one frame (at most MaxFrame). A large frame that
// matters, such as a NEW-VIEW or a VIEW-CHANGE carrying hundreds of batches under load, or a
// snapshot for a lagging peer, thus never waits for the queue to be empty, which a busy link
// to a live peer rarely is.
func (o *outbox) offer(frame []byte) bool {
	n := int64(len(frame))
	if before := o.bytes.Add(n) - n; before >= o.maxBytes {
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
