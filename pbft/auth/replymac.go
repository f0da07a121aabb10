package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
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

// clientKeys is the client side: the client's id and its reply MAC with each replica.
type clientKeys struct {
	id   pbft.ClientID
	macs []keyedMAC // macs[i-1] is keyed with replica i
}

// replyKeyCache is the replica side: the reply MAC of every client it answered.
type replyKeyCache struct {
	mu   sync.RWMutex
	macs map[pbft.ClientID]keyedMAC
}

// keyedMAC is an HMAC-SHA256 already keyed (its inner and outer pads hashed): every MAC
// starts from a clone of it, which costs a copy instead of two SHA-256 blocks and the
// allocations of hmac.New. It is never written to, so clones may be taken concurrently.
type keyedMAC struct{ h hash.Hash }

func newKeyedMAC(key [crypto.SharedKeySize]byte) keyedMAC {
	return keyedMAC{h: hmac.New(sha256.New, key[:])}
}

// sum returns the MAC of msg.
func (k keyedMAC) sum(msg []byte) []byte {
	c, err := k.h.(hash.Cloner).Clone()
	if err != nil { // every hash of the standard library clones; never in practice
		panic(fmt.Sprintf("auth: reply MAC: %v", err))
	}
	m := c.(hash.Hash)
	m.Write(msg)
	return m.Sum(nil)
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
		ck.macs = append(ck.macs, newKeyedMAC(k))
	}
	a.client = ck
	return a, nil
}

// SignReply authenticates a reply as this replica with the MAC key it shares with the reply's
// client. A client the cluster does not know gets no MAC (its replies cannot be checked).
func (a *Authenticator) SignReply(rep *pbft.Reply) {
	rep.Sig = nil
	mac, ok := a.replyMAC(rep.Client)
	if !ok {
		return
	}
	rep.Sig = mac.sum(wire.ReplySignedBytes(rep))
}

// VerifyReply checks the MAC of a reply to this authenticator's client by its replica.
func (a *Authenticator) VerifyReply(rep *pbft.Reply) error {
	if a.client == nil {
		return ErrNotClient
	}
	if rep.Replica < 1 || int(rep.Replica) > len(a.client.macs) {
		return ErrBadSender
	}
	mac := a.client.macs[rep.Replica-1]
	if rep.Client != a.client.id || !hmac.Equal(mac.sum(wire.ReplySignedBytes(rep)), rep.Sig) {
		return ErrBadFrame
	}
	return nil
}

// replyMAC returns (and caches) the MAC keyed with the key this replica shares with client c.
func (a *Authenticator) replyMAC(c pbft.ClientID) (keyedMAC, bool) {
	a.replyKeys.mu.RLock()
	mac, ok := a.replyKeys.macs[c]
	a.replyKeys.mu.RUnlock()
	if ok || a.secret == nil {
		return mac, ok
	}
	pub, known := a.pub.Clients[string(c)]
	if !known {
		return mac, false
	}
	k, err := a.secret.Ed25519.SharedKey(pub, replyMACLabel, replyContext(c, pbft.NodeID(a.secret.ID)))
	if err != nil {
		return mac, false
	}
	mac = newKeyedMAC(k)
	a.replyKeys.mu.Lock()
	if a.replyKeys.macs == nil {
		a.replyKeys.macs = map[pbft.ClientID]keyedMAC{}
	}
	a.replyKeys.macs[c] = mac
	a.replyKeys.mu.Unlock()
	return mac, true
}
