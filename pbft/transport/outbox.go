package transport

import "sync/atomic"

// outbox is the bounded queue of frames to one destination, with its counters.
type outbox struct {
	frames  chan []byte
	sent    atomic.Uint64
	dropped atomic.Uint64
}

func newOutbox(size int) *outbox { return &outbox{frames: make(chan []byte, size)} }

// offer queues frame without blocking; a full queue drops it.
func (o *outbox) offer(frame []byte) bool {
	select {
	case o.frames <- frame:
		return true
	default:
		o.dropped.Add(1)
		return false
	}
}
