package transport

import (
	"bufio"
	"errors"
	"time"
)

// errConnLost reports that the reader side of a connection ended.
var errConnLost = errors.New("transport: connection lost")

// serve runs one connection: a reader goroutine hands every inbound frame to deliver, and the
// calling goroutine writes first (if any) and then the frames of out. It returns when the
// connection fails, when the transport closes, or when replace yields a newer connection for
// the same destination, which it returns. The connection is closed on return.
func (b *base) serve(c *conn, label string, out *outbox, first []byte, deliver func([]byte), replace <-chan *conn) *conn {
	dead := make(chan struct{})
	b.spawn(func() {
		defer close(dead)
		b.readLoop(c, label, deliver)
	})
	next, err := b.writeLoop(c, out, first, dead, replace)
	if err != nil && !errors.Is(err, errClosed) && !errors.Is(err, errConnLost) {
		b.opts.log.Debug().Err(err).Msgf("%s write failed", label)
	}
	b.drop(c)
	<-dead
	return next
}

func (b *base) readLoop(c *conn, label string, deliver func([]byte)) {
	for {
		frame, err := readFrame(c.r, b.opts.maxFrame)
		if err != nil {
			if errors.Is(err, errFrameTooLarge) {
				b.protocolErrors.Add(1)
				b.opts.log.Warn().Err(err).Msgf("%s protocol error, closing", label)
			}
			c.Close()
			return
		}
		deliver(frame)
	}
}

func (b *base) writeLoop(c *conn, out *outbox, first []byte, dead <-chan struct{}, replace <-chan *conn) (*conn, error) {
	w := bufio.NewWriterSize(c, ioBufferSize)
	if first != nil {
		if err := b.writeBatch(c, w, out, first); err != nil {
			return nil, err
		}
	}
	for {
		select {
		case frame := <-out.frames:
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

// writeBatch writes frame and whatever else is queued already, then flushes once.
func (b *base) writeBatch(c *conn, w *bufio.Writer, out *outbox, frame []byte) error {
	written := uint64(0)
	for {
		c.SetWriteDeadline(time.Now().Add(b.opts.writeTimeout))
		if err := writeFrame(w, frame); err != nil {
			return err
		}
		written++
		if written == maxBatch || !nextFrame(out, &frame) {
			break
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	out.sent.Add(written)
	return nil
}

// nextFrame takes a queued frame without waiting.
func nextFrame(out *outbox, frame *[]byte) bool {
	select {
	case *frame = <-out.frames:
		return true
	default:
		return false
	}
}
