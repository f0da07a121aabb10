package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding"
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
// (docs/protocol.md, "Authentication"): HMAC-SHA256 over wire.AppendReplySigned, keyed by
// crypto.SigningKey.SharedKey between the replica's and the client's Ed25519 keys. A replica sends
// a reply to every client of every request it executes, so replies must be nearly free: an HMAC
// costs about a microsecond, an Ed25519 signature and its check about 90 µs. A Byzantine replica
// cannot forge another replica's replies, since it does not know their key.

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

// keyedMAC is HMAC-SHA256 (RFC 2104) under one key, with the SHA-256 states after the inner
// and the outer padded key saved: a MAC restores them into a pooled hash instead of hashing
// two pad blocks (hmac.New) or allocating a clone, which a replica would do for each of the
// seven replies of every request. The saved states are never written, so MACs may be
// computed concurrently.
type keyedMAC struct{ inner, outer []byte }

func newKeyedMAC(key [crypto.SharedKeySize]byte) keyedMAC {
	var ipad, opad [sha256.BlockSize]byte
	copy(ipad[:], key[:]) // the key is shorter than a block: padded with zeros
	copy(opad[:], key[:])
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	return keyedMAC{inner: padState(ipad[:]), outer: padState(opad[:])}
}

// padState is the marshaled SHA-256 state after hashing one padded-key block.
func padState(pad []byte) []byte {
	h := sha256.New()
	h.Write(pad)
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil { // crypto/sha256 always marshals its state
		panic(fmt.Sprintf("auth: reply MAC: %v", err))
	}
	return state
}

// macState is a SHA-256 hash whose state a MAC overwrites, with room for the MAC's input
// and output: pooled, so that sealing or checking a reply allocates nothing (a buffer or
// array handed to the hash through its interface would escape to the heap).
type macState struct {
	h       hash.Hash
	msg     []byte
	in, out [sha256.Size]byte
}

var macPool = sync.Pool{New: func() any { return &macState{h: sha256.New()} }}

// compute sets st.out to the MAC of st.msg.
func (k keyedMAC) compute(st *macState) {
	restore(st.h, k.inner)
	st.h.Write(st.msg)
	st.h.Sum(st.in[:0])
	restore(st.h, k.outer)
	st.h.Write(st.in[:])
	st.h.Sum(st.out[:0])
}

// replyMACState computes the MAC of rep under k into a pooled state, which the caller puts
// back.
func (k keyedMAC) replyMACState(rep *pbft.Reply) *macState {
	st := macPool.Get().(*macState)
	st.msg = wire.AppendReplySigned(st.msg[:0], rep)
	k.compute(st)
	return st
}

// restore loads a state saved by padState into h.
func restore(h hash.Hash, state []byte) {
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		panic(fmt.Sprintf("auth: reply MAC: %v", err)) // states come from padState
	}
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
	st := mac.replyMACState(rep)
	rep.Sig = append([]byte(nil), st.out[:]...)
	macPool.Put(st)
}

// VerifyReply checks the MAC of a reply to this authenticator's client by its replica.
func (a *Authenticator) VerifyReply(rep *pbft.Reply) error {
	if a.client == nil {
		return ErrNotClient
	}
	if rep.Replica < 1 || int(rep.Replica) > len(a.client.macs) {
		return ErrBadSender
	}
	if rep.Client != a.client.id {
		return ErrBadFrame
	}
	st := a.client.macs[rep.Replica-1].replyMACState(rep)
	defer macPool.Put(st)
	if !hmac.Equal(st.out[:], rep.Sig) {
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
