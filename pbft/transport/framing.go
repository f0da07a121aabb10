package transport

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// errFrameTooLarge is the protocol error of a frame longer than the configured maximum.
var errFrameTooLarge = errors.New("transport: frame too large")

// frameHeaderSize is the length prefix of a frame: a big-endian uint32.
const frameHeaderSize = 4

// writeFrame appends a length-prefixed frame to w; the caller flushes.
func writeFrame(w *bufio.Writer, frame []byte) error {
	var hdr [frameHeaderSize]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(frame)))
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	_, err := w.Write(frame)
	return err
}

// nextFrame reads the next frame of c, of at most max bytes, with a deadline on every
// phase. The read deadline rolls: readWithin moves it only when less than half of
// FrameTimeout (or more than all of it) is left, so a busy connection sets it about once per
// FrameTimeout/2 rather than twice per frame (each setting costs a runtime timer update).
// The rest of a frame, once its first byte came, thus gets between half and all of
// FrameTimeout, plus a second per MiB announced. Waiting for a frame's first byte, a
// deadline that passes with nothing received only rolls on, until the wait has lasted idle
// (never, when idle is zero).
func (b *base) nextFrame(c *conn, max int, idle time.Duration) ([]byte, error) {
	if frameBuffered(c.r) {
		return readFrame(c.r, max)
	}
	if c.r.Buffered() == 0 {
		if err := b.awaitFrame(c, idle); err != nil {
			return nil, err
		}
	}
	c.readWithin(b.opts.frameTimeout)
	n, err := readHeader(c.r, max)
	if err != nil {
		return nil, err
	}
	if n > frameRate {
		c.readBy(time.Now().Add(b.opts.frameTimeout + time.Duration(n/frameRate)*time.Second))
	}
	return readBody(c.r, n)
}

// awaitFrame waits for the first byte of a frame, for at most idle (forever when zero).
func (b *base) awaitFrame(c *conn, idle time.Duration) error {
	var since time.Time
	for {
		c.readWithin(b.opts.frameTimeout)
		_, err := c.r.Peek(1)
		var ne net.Error
		if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
			return err
		}
		if since.IsZero() {
			since = time.Now().Add(-b.opts.frameTimeout / 2) // the deadline had at least that left
		}
		if idle > 0 && time.Since(since) >= idle {
			return err
		}
	}
}

// readWithin makes c's read deadline between d/2 and d from now, moving it only if needed.
func (c *conn) readWithin(d time.Duration) {
	now := time.Now()
	if left := c.readDeadline.Sub(now); left >= d/2 && left <= d {
		return
	}
	c.readBy(now.Add(d))
}

// readBy sets c's read deadline.
func (c *conn) readBy(t time.Time) {
	c.readDeadline = t
	c.SetReadDeadline(t)
}

// readFrame reads one length-prefixed frame of at most max bytes into a fresh buffer.
func readFrame(r *bufio.Reader, max int) ([]byte, error) {
	n, err := readHeader(r, max)
	if err != nil {
		return nil, err
	}
	return readBody(r, n)
}

// readHeader reads a frame's length and checks it against max.
func readHeader(r *bufio.Reader, max int) (int, error) {
	var hdr [frameHeaderSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if uint64(n) > uint64(max) {
		return 0, fmt.Errorf("%w: %d bytes, max %d", errFrameTooLarge, n, max)
	}
	return int(n), nil
}

// readBody reads a frame body of n bytes. The buffer starts at readChunk and doubles as the
// bytes arrive, so what a frame costs follows what was sent (at most about twice that), not
// what its header announced.
func readBody(r *bufio.Reader, n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, readChunk))
	for {
		got, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+got]
		if err != nil {
			return nil, err
		}
		if len(buf) == n {
			return buf, nil
		}
		grown := make([]byte, len(buf), min(2*cap(buf), n))
		copy(grown, buf)
		buf = grown
	}
}

// frameBuffered reports whether r already holds a complete frame, so that reading it will
// not wait for the network.
func frameBuffered(r *bufio.Reader) bool {
	if r.Buffered() < 4 {
		return false
	}
	hdr, err := r.Peek(4)
	if err != nil {
		return false
	}
	return uint64(r.Buffered()) >= 4+uint64(binary.BigEndian.Uint32(hdr))
}
