package transport

import (
	"bufio"
	"errors"
	"net"
	"runtime"
	"time"
)

// errConnLost reports that the reader side of a connection ended.
var errConnLost = errors.New("transport: connection lost")

// stream is what serve needs to run one connection.
type stream struct {
	label   string
	out     *outbox
	first   [][]byte     // written before the frames of out
	deliver func([]byte) // every inbound frame
	// idle, if set, runs after an inbound frame when no complete frame is buffered: the end
	// of a burst, which lets the receiver batch the frames of one burst.
	idle    func()
	replace <-chan *conn // a newer connection for the same destination
	// maxFrame bounds an inbound frame; idleTimeout, if set, bounds the wait for the first
	// byte of the next frame (the rest of a frame has FrameTimeout; see nextFrame).
	maxFrame    int
	idleTimeout time.Duration
}

// serve runs one connection: a reader goroutine hands every inbound frame to s.deliver, and
// the calling goroutine writes s.first and then the frames of s.out. It returns when the
// connection fails, when the transport closes, or when s.replace yields a newer connection
// for the same destination, which it returns. The connection is closed on return.
func (b *base) serve(c *conn, s stream) *conn {
	dead := make(chan struct{})
	b.spawn(func() {
		defer close(dead)
		b.readLoop(c, s)
	})
	next, err := b.writeLoop(c, s.out, s.first, dead, s.replace)
	if err != nil && !errors.Is(err, errClosed) && !errors.Is(err, errConnLost) {
		b.opts.log.Debug().Err(err).Msgf("%s write failed", s.label)
	}
	b.drop(c)
	<-dead
	return next
}

func (b *base) readLoop(c *conn, s stream) {
	for {
		frame, err := b.nextFrame(c, s.maxFrame, s.idleTimeout)
		if err != nil {
			var ne net.Error
			if errors.Is(err, errFrameTooLarge) {
				b.protocolErrors.Add(1)
				b.opts.log.Warn().Err(err).Msgf("%s protocol error, closing", s.label)
			} else if errors.As(err, &ne) && ne.Timeout() {
				b.refused.timeouts.Add(1)
			}
			if s.idle != nil {
				s.idle() // the burst ends with the connection
			}
			c.Close()
			return
		}
		s.deliver(frame)
		if s.idle != nil && !frameBuffered(c.r) {
			s.idle()
		}
	}
}

func (b *base) writeLoop(c *conn, out *outbox, first [][]byte, dead <-chan struct{}, replace <-chan *conn) (*conn, error) {
	w := bufio.NewWriterSize(c, ioBufferSize)
	if len(first) > 0 {
		if err := b.writeFirst(c, w, out, first); err != nil {
			return nil, err
		}
	}
	for {
		select {
		case frame := <-out.frames:
			out.took(frame)
			if err := b.writeBatch(c, w, out, frame); err != nil {
				return nil, err
			}
		case <-dead:
			return nil, errConnLost
		case next := <-replace:
			return next, nil
		case <-b.done:
			return nil, errClosed
		}
	}
}

// writeBatch writes frame and whatever else is queued already, then flushes once. Every
// write to the socket gets the full write timeout: the deadline is set at the start and again
// before a frame that will not fit in the buffer (and so writes to the socket), not for every
// frame (setting a deadline costs a runtime timer update).
func (b *base) writeBatch(c *conn, w *bufio.Writer, out *outbox, frame []byte) error {
	written, mayYield := uint64(0), b.opts.coalesce
	c.SetWriteDeadline(time.Now().Add(b.opts.writeTimeout))
	for {
		if written > 0 && w.Available() < frameHeaderSize+len(frame) {
			c.SetWriteDeadline(time.Now().Add(b.opts.writeTimeout))
		}
		if err := writeFrame(w, frame); err != nil {
			return err
		}
		written++
		if written == maxBatch || !nextOrYield(out, &frame, &mayYield) {
			break
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	out.sent.Add(written)
	return nil
}

// writeFirst writes the frames that open a connection and flushes them.
func (b *base) writeFirst(c *conn, w *bufio.Writer, out *outbox, frames [][]byte) error {
	c.SetWriteDeadline(time.Now().Add(b.opts.writeTimeout))
	for _, f := range frames {
		if err := writeFrame(w, f); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	out.sent.Add(uint64(len(frames)))
	return nil
}

// nextOrYield takes a queued frame without waiting; if none is queued and *mayYield is set,
// it first yields the processor once (clearing *mayYield) so that frames about to be queued
// join the batch (options.coalesce).
func nextOrYield(out *outbox, frame *[]byte, mayYield *bool) bool {
	if nextFrame(out, frame) {
		return true
	}
	if !*mayYield {
		return false
	}
	*mayYield = false
	runtime.Gosched()
	return nextFrame(out, frame)
}

// nextFrame takes a queued frame without waiting.
func nextFrame(out *outbox, frame *[]byte) bool {
	select {
	case *frame = <-out.frames:
		out.took(*frame)
		return true
	default:
		return false
	}
}
