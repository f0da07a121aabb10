package transport

import (
	"crypto/sha256"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

// testKey derives a key from a label, the same in every run.
func testKey(label string) *crypto.SigningKey {
	seed := sha256.Sum256([]byte("transport-test/" + label))
	k, err := crypto.GenerateSigningKey(seed[:])
	if err != nil {
		panic(err)
	}
	return k
}

// knownClients are the clients the test replicas know the keys of; any other id is unknown.
var knownClients = []pbft.ClientID{"A", "B", "C", "D", "client-7"}

func replicaKey(id pbft.NodeID) *crypto.SigningKey { return testKey("replica/" + id.String()) }

func clientKey(id pbft.ClientID) *crypto.SigningKey { return testKey("client/" + string(id)) }

// testKeys are the Keys of replica self among replicas 1..9 and the known clients.
func testKeys(self pbft.NodeID) Keys {
	replicas := make(map[pbft.NodeID]crypto.VerifyKey)
	for id := pbft.NodeID(1); id <= 9; id++ {
		replicas[id] = replicaKey(id).Public()
	}
	clients := make(map[pbft.ClientID]crypto.VerifyKey)
	for _, c := range knownClients {
		clients[c] = clientKey(c).Public()
	}
	return Keys{Self: replicaKey(self), Replicas: replicas, Clients: func(id pbft.ClientID) (crypto.VerifyKey, bool) {
		k, ok := clients[id]
		return k, ok
	}}
}

// dialClientRaw connects to addr as client id, proving its key with a raw handshake, and
// returns the connection ready for frames.
func dialClientRaw(t *testing.T, addr string, id pbft.ClientID) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	h := hello{role: roleClient, client: id, nonce: freshNonce()}
	n := nonces{dial: h.nonce}
	c.SetDeadline(time.Now().Add(waitTimeout))
	if _, err := c.Write(h.encode()); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, n.accept[:]); err != nil {
		t.Fatal(err)
	}
	to := pbft.NodeID(1) // the tests dial replica 1
	if _, err := c.Write(clientKey(id).Sign(transcript(labelClient, to, 0, id, n.dial, n.accept))); err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Time{})
	return c
}

// acceptReplicaRaw answers the hello of a replica dialing self as a real replica would, so
// the dialer counts the connection as established; the caller then does what it likes.
func acceptReplicaRaw(c net.Conn, self pbft.NodeID) error {
	c.SetDeadline(time.Now().Add(waitTimeout))
	defer c.SetDeadline(time.Time{})
	h, err := readHello(c)
	if err != nil {
		return err
	}
	n := nonces{dial: h.nonce, accept: freshNonce()}
	sig := replicaKey(self).Sign(transcript(labelAcceptor, self, h.from, "", n.dial, n.accept))
	if _, err := c.Write(append(n.accept[:], sig...)); err != nil {
		return err
	}
	var proof [crypto.SignatureSize]byte
	_, err = io.ReadFull(c, proof[:])
	return err
}

// dialMuxRaw opens a multiplexed connection to replica 1 at addr and attaches the given
// clients with raw frames; it returns the connection and its nonces.
func dialMuxRaw(t *testing.T, addr string, clients ...pbft.ClientID) (net.Conn, nonces) {
	t.Helper()
	c, n, err := muxRaw(addr, clients...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, n
}

// muxRaw is dialMuxRaw for any goroutine: the caller closes the connection.
func muxRaw(addr string, clients ...pbft.ClientID) (net.Conn, nonces, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, nonces{}, err
	}
	h := hello{role: roleClientMux, client: "raw", nonce: freshNonce()}
	n := nonces{dial: h.nonce}
	c.SetDeadline(time.Now().Add(waitTimeout))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write(h.encode()); err != nil {
		return c, n, err
	}
	if _, err := io.ReadFull(c, n.accept[:]); err != nil {
		return c, n, err
	}
	for _, id := range clients {
		frame := encodeMux(muxAttach, id, attachProof(clientKey(id), 1, id, n))
		if _, err := c.Write(append(binary.BigEndian.AppendUint32(nil, uint32(len(frame))), frame...)); err != nil {
			return c, n, err
		}
	}
	return c, n, nil
}

// writeRawFrame writes one length-prefixed frame to c.
func writeRawFrame(t *testing.T, c net.Conn, frame []byte) {
	t.Helper()
	if _, err := c.Write(append(binary.BigEndian.AppendUint32(nil, uint32(len(frame))), frame...)); err != nil {
		t.Fatal(err)
	}
}
