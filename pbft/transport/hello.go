package transport

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/bftbank/pbft/pbft"
)

// The hello that opens every connection; see the package documentation.
const (
	helloMagic     = "PBFT"
	helloVersion   = 1
	roleReplica    = 1
	roleClient     = 2
	roleClientMux  = 3 // many clients over one connection (mux.go)
	maxClientIDLen = 256
)

// hello is the dialer's claim of who it is (and, for a replica, whom it meant to reach).
type hello struct {
	role   byte
	from   pbft.NodeID // replica role
	to     pbft.NodeID // replica role
	client pbft.ClientID
}

func (h hello) encode() []byte {
	b := append([]byte(helloMagic), helloVersion, h.role)
	if h.role == roleReplica {
		b = binary.BigEndian.AppendUint32(b, uint32(h.from))
		return binary.BigEndian.AppendUint32(b, uint32(h.to))
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.client))) // client id, or mux name
	return append(b, h.client...)
}

var errBadHello = errors.New("transport: bad hello")

func readHello(r *bufio.Reader) (hello, error) {
	var head [6]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return hello{}, err
	}
	if string(head[:4]) != helloMagic || head[4] != helloVersion {
		return hello{}, fmt.Errorf("%w: magic %q version %d", errBadHello, head[:4], head[4])
	}
	switch head[5] {
	case roleReplica:
		var ids [8]byte
		if _, err := io.ReadFull(r, ids[:]); err != nil {
			return hello{}, err
		}
		return hello{role: roleReplica, from: pbft.NodeID(binary.BigEndian.Uint32(ids[:4])),
			to: pbft.NodeID(binary.BigEndian.Uint32(ids[4:]))}, nil
	case roleClient, roleClientMux:
		h, err := readClientHello(r)
		h.role = head[5]
		return h, err
	}
	return hello{}, fmt.Errorf("%w: role %d", errBadHello, head[5])
}

func readClientHello(r *bufio.Reader) (hello, error) {
	var n [2]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return hello{}, err
	}
	size := binary.BigEndian.Uint16(n[:])
	if size == 0 || size > maxClientIDLen {
		return hello{}, fmt.Errorf("%w: client id of %d bytes", errBadHello, size)
	}
	id := make([]byte, size)
	if _, err := io.ReadFull(r, id); err != nil {
		return hello{}, err
	}
	return hello{role: roleClient, client: pbft.ClientID(id)}, nil
}
