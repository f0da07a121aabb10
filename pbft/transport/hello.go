package transport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/bftbank/pbft/pbft"
)

// The hello that opens every connection; see the package documentation.
const (
	helloMagic     = "PBFT"
	helloVersion   = 2
	roleReplica    = 1
	roleClient     = 2
	roleClientMux  = 3 // many clients over one connection (mux_frames.go)
	maxClientIDLen = 256
)

// hello is the dialer's claim of who it is (and, for a replica, whom it meant to reach), with
// the dialer's fresh nonce. The claim counts only once the handshake proved it.
type hello struct {
	role   byte
	from   pbft.NodeID // replica role
	to     pbft.NodeID // replica role
	client pbft.ClientID
	nonce  nonce
}

func (h hello) encode() []byte {
	b := append([]byte(helloMagic), helloVersion, h.role)
	if h.role == roleReplica {
		b = binary.BigEndian.AppendUint32(b, uint32(h.from))
		b = binary.BigEndian.AppendUint32(b, uint32(h.to))
	} else {
		b = binary.BigEndian.AppendUint16(b, uint16(len(h.client))) // client id, or mux name
		b = append(b, h.client...)
	}
	return append(b, h.nonce[:]...)
}

var errBadHello = errors.New("transport: bad hello")

// readHello reads a hello with exact reads: nothing after it is consumed, and nothing is
// buffered for a connection that has not proved anything yet.
func readHello(r io.Reader) (hello, error) {
	var head [6]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return hello{}, err
	}
	if string(head[:4]) != helloMagic || head[4] != helloVersion {
		return hello{}, fmt.Errorf("%w: magic %q version %d", errBadHello, head[:4], head[4])
	}
	var h hello
	switch head[5] {
	case roleReplica:
		var ids [8]byte
		if _, err := io.ReadFull(r, ids[:]); err != nil {
			return hello{}, err
		}
		h = hello{role: roleReplica, from: pbft.NodeID(binary.BigEndian.Uint32(ids[:4])),
			to: pbft.NodeID(binary.BigEndian.Uint32(ids[4:]))}
	case roleClient, roleClientMux:
		id, err := readClientID(r)
		if err != nil {
			return hello{}, err
		}
		h = hello{role: head[5], client: id}
	default:
		return hello{}, fmt.Errorf("%w: role %d", errBadHello, head[5])
	}
	_, err := io.ReadFull(r, h.nonce[:])
	return h, err
}

func readClientID(r io.Reader) (pbft.ClientID, error) {
	var n [2]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return "", err
	}
	size := binary.BigEndian.Uint16(n[:])
	if size == 0 || size > maxClientIDLen {
		return "", fmt.Errorf("%w: client id of %d bytes", errBadHello, size)
	}
	id := make([]byte, size)
	if _, err := io.ReadFull(r, id); err != nil {
		return "", err
	}
	return pbft.ClientID(id), nil
}
