package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// Replies are authenticated with a MAC under a key that only the client and the replica know
// (SPEC 3.2): HMAC-SHA256 over wire.ReplySignedBytes, keyed by crypto.SigningKey.SharedKey
// between the replica's and the client's Ed25519 keys. A replica sends a reply to every
// client of every request it executes, so replies must be nearly free: an HMAC costs about a
// microsecond, an Ed25519 signature and its check about 90 µs. A Byzantine replica cannot
// forge another replica's replies, since it does not know their key.

// replyMACLabel separates reply keys from any other use of the shared secret.
const replyMACLabel = "pbft/reply-mac/v1"

// ErrNotClient is returned by VerifyReply on an authenticator that was not made for a client.
var ErrNotClient = errors.New("auth: reply MACs can only be checked by their client")

// replyContext binds a reply key to its client and replica.
func replyContext(c pbft.ClientID, replica pbft.NodeID) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(replica))
	return append(b, c...)
}

// clientKeys is the client side: the client's id and its reply key with each replica.
type clientKeys struct {
	id   pbft.ClientID
	keys [][crypto.SharedKeySize]byte // keys[i-1] is shared with replica i
}

// replyKeyCache is the replica side: the reply key of every client it answered.
type replyKeyCache struct {
	mu   sync.RWMutex
	keys map[pbft.ClientID][crypto.SharedKeySize]byte
}

// NewClient returns an authenticator for client id, which signs nothing but checks the MACs
// of the replies addressed to it (VerifyReply), besides everything a verifier checks.
func NewClient(pub *crypto.ClusterPublic, id pbft.ClientID, key *crypto.SigningKey) (*Authenticator, error) {
	a := New(pub, nil)
	ck := &clientKeys{id: id}
	for i := 1; i <= pub.N; i++ {
		k, err := key.SharedKey(pub.Replicas[i-1], replyMACLabel, replyContext(id, pbft.NodeID(i)))
		if err != nil {
			return nil, fmt.Errorf("auth: reply key with n%d: %w", i, err)
		}
		ck.keys = append(ck.keys, k)
	}
	a.client = ck
	return a, nil
}

// SignReply authenticates a reply as this replica with the MAC key it shares with the reply's
// client. A client the cluster does not know gets no MAC (its replies cannot be checked).
func (a *Authenticator) SignReply(rep *pbft.Reply) {
	rep.Sig = nil
	key, ok := a.replyKey(rep.Client)
	if !ok {
		return
	}
	rep.Sig = replyMAC(key, rep)
}

// VerifyReply checks the MAC of a reply to this authenticator's client by its replica.
func (a *Authenticator) VerifyReply(rep *pbft.Reply) error {
	if a.client == nil {
		return ErrNotClient
	}
	if rep.Replica < 1 || int(rep.Replica) > len(a.client.keys) {
		return ErrBadSender
	}
	if rep.Client != a.client.id || !hmac.Equal(replyMAC(a.client.keys[rep.Replica-1], rep), rep.Sig) {
		return ErrBadFrame
	}
	return nil
}

// replyKey returns (and caches) the key this replica shares with client c.
func (a *Authenticator) replyKey(c pbft.ClientID) ([crypto.SharedKeySize]byte, bool) {
	a.replyKeys.mu.RLock()
	k, ok := a.replyKeys.keys[c]
	a.replyKeys.mu.RUnlock()
	if ok || a.secret == nil {
		return k, ok
	}
	pub, known := a.pub.Clients[string(c)]
	if !known {
		return k, false
	}
	k, err := a.secret.Ed25519.SharedKey(pub, replyMACLabel, replyContext(c, pbft.NodeID(a.secret.ID)))
	if err != nil {
		return k, false
	}
	a.replyKeys.mu.Lock()
	if a.replyKeys.keys == nil {
		a.replyKeys.keys = map[pbft.ClientID][crypto.SharedKeySize]byte{}
	}
	a.replyKeys.keys[c] = k
	a.replyKeys.mu.Unlock()
	return k, true
}

func replyMAC(key [crypto.SharedKeySize]byte, rep *pbft.Reply) []byte {
	m := hmac.New(sha256.New, key[:])
	m.Write(wire.ReplySignedBytes(rep))
	return m.Sum(nil)
}
