package transport

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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

// readFrame reads one length-prefixed frame of at most max bytes into a fresh buffer.
func readFrame(r *bufio.Reader, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if uint64(n) > uint64(max) {
		return nil, fmt.Errorf("%w: %d bytes, max %d", errFrameTooLarge, n, max)
	}
	frame := make([]byte, n)
	if _, err := io.ReadFull(r, frame); err != nil {
		return nil, err
	}
	return frame, nil
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
