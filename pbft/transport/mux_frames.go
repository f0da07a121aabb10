package transport

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// Frames of a multiplexed client connection (hello role 3, see the package documentation):
//
//	kind uint8 | len uint16 | client id | payload
//
// muxAttach proves a client's key on this connection (payload: attachProof) and tells the
// replica that the client's replies go on it; muxData carries one client frame (a request to
// the replica, a reply to the client) of a client attached on the connection.
const (
	muxData   = 0
	muxAttach = 1
)

// muxQueueLen is the queue of a ClientMux's connection to one replica: it carries the
// requests of all the clients of a process, and a process has one per replica. A replica's
// queue for a multiplexed connection is QueueLen, as for any connection, since there may
// be MaxClientConns of them.
const muxQueueLen = 1 << 15

var errBadMux = errors.New("transport: bad multiplexed frame")

// encodeMux frames payload for client id on a multiplexed connection.
func encodeMux(kind byte, id pbft.ClientID, payload []byte) []byte {
	b := make([]byte, 0, 3+len(id)+len(payload))
	b = append(b, kind)
	b = binary.BigEndian.AppendUint16(b, uint16(len(id)))
	b = append(b, id...)
	return append(b, payload...)
}

// decodeMux splits a multiplexed frame; the payload aliases frame.
func decodeMux(frame []byte) (kind byte, id pbft.ClientID, payload []byte, err error) {
	if len(frame) < 3 {
		return 0, "", nil, fmt.Errorf("%w: %d bytes", errBadMux, len(frame))
	}
	kind = frame[0]
	n := int(binary.BigEndian.Uint16(frame[1:3]))
	switch {
	case kind != muxData && kind != muxAttach:
		return 0, "", nil, fmt.Errorf("%w: kind %d", errBadMux, kind)
	case n == 0 || n > maxClientIDLen || len(frame) < 3+n:
		return 0, "", nil, fmt.Errorf("%w: client id of %d bytes", errBadMux, n)
	}
	return kind, pbft.ClientID(frame[3 : 3+n]), frame[3+n:], nil
}
