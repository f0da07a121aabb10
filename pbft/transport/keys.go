package transport

import (
	"crypto/rand"
	"encoding/binary"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

// Keys are what a replica's transport proves its own identity with and checks the others'
// against (see "Authentication" in the package documentation).
type Keys struct {
	Self     *crypto.SigningKey               // this replica's Ed25519 key
	Replicas map[pbft.NodeID]crypto.VerifyKey // every other replica's Ed25519 key
	// Clients returns the key of a client of the cluster; false for an unknown id, which is
	// refused. Nil: no client is accepted.
	Clients func(pbft.ClientID) (crypto.VerifyKey, bool)
}

// nonceSize is the length of the fresh random values both ends of a handshake contribute.
const nonceSize = 32

type nonce [nonceSize]byte

func freshNonce() nonce {
	var n nonce
	if _, err := rand.Read(n[:]); err != nil {
		panic("transport: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return n
}

// Proof labels: who signs, for what. Each proof is an Ed25519 signature of a transcript
// under its own label, so none can stand for another, nor for a protocol message (whose
// domains are "pbft/request/v1", "pbft/frame/..." and the like).
const (
	labelAcceptor = 'A' // a replica answering a replica's hello
	labelDialer   = 'D' // a replica that dialed
	labelClient   = 'C' // a client on its own connection
	labelAttach   = 'M' // a client attached to a multiplexed connection
)

const linkDomain = "pbft/link/v2\x00"

// transcript is what a proof signs: the label, the replica that accepted the connection,
// the dialer (a replica id, or a client id), and both nonces.
func transcript(label byte, acceptor, dialer pbft.NodeID, client pbft.ClientID, dialNonce, acceptNonce nonce) []byte {
	b := make([]byte, 0, len(linkDomain)+1+8+2+len(client)+2*nonceSize)
	b = append(b, linkDomain...)
	b = append(b, label)
	b = binary.BigEndian.AppendUint32(b, uint32(acceptor))
	b = binary.BigEndian.AppendUint32(b, uint32(dialer))
	b = binary.BigEndian.AppendUint16(b, uint16(len(client)))
	b = append(b, client...)
	b = append(b, dialNonce[:]...)
	return append(b, acceptNonce[:]...)
}

// nonces are the two fresh values of one connection's handshake.
type nonces struct{ dial, accept nonce }

// attachProof is the payload of a mux attach: the first bytes of the connection's accept
// nonce, which tell a stale attach (signed for an earlier connection) from a forged one
// without checking a signature, and the client's signature.
func attachProof(key *crypto.SigningKey, replica pbft.NodeID, id pbft.ClientID, n nonces) []byte {
	sig := key.Sign(transcript(labelAttach, replica, 0, id, n.dial, n.accept))
	return append(append(make([]byte, 0, attachTagSize+len(sig)), n.accept[:attachTagSize]...), sig...)
}

const attachTagSize = 8

// ClusterKeys are the Keys of a replica of the cluster pub whose Ed25519 key is self: the
// replicas' keys, and the clients' keys of the configuration.
func ClusterKeys(pub *crypto.ClusterPublic, self *crypto.SigningKey) Keys {
	replicas := make(map[pbft.NodeID]crypto.VerifyKey, len(pub.Replicas))
	for i, k := range pub.Replicas {
		replicas[pbft.NodeID(i+1)] = k
	}
	clients := func(id pbft.ClientID) (crypto.VerifyKey, bool) {
		k, ok := pub.Clients[string(id)]
		return k, ok
	}
	return Keys{Self: self, Replicas: replicas, Clients: clients}
}
