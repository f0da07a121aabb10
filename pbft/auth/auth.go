// Package auth is the authentication layer between the deterministic core and the network
// (docs/protocol.md, "Authentication"). Outbound, it fills a replica's threshold shares into
// PREPARE, COMMIT and CHECKPOINT, signs VIEW-CHANGEs, encodes the message and signs the frame with
// the replica's Ed25519 key. Inbound, it verifies the frame signature over the exact body bytes
// before decoding, then every client signature in a batch and every certificate the message
// carries, so the core only ever sees authenticated messages. Shares are not verified on receipt:
// the collector combines them optimistically (Combine) and verifies them one by one only when the
// combined signature fails.
package auth

import (
	"errors"
	"fmt"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// Errors of Open and the Verify functions.
var (
	ErrBadFrame      = errors.New("auth: bad frame signature")
	ErrBadRequest    = errors.New("auth: bad client signature")
	ErrBadCert       = errors.New("auth: bad certificate")
	ErrBadSender     = errors.New("auth: unknown sender")
	ErrBatchTooLarge = errors.New("auth: batch over the configured size")
	ErrUnknownUser   = errors.New("auth: unknown client")
	ErrNotReplica    = errors.New("auth: no replica secret to sign with")
	ErrInconsistent  = errors.New("auth: inconsistent message")
)

// Authenticator seals and opens one replica's messages. It is safe for concurrent use (the
// runtime calls it from a worker pool).
type Authenticator struct {
	pub    *crypto.ClusterPublic
	secret *crypto.ReplicaSecret // nil: verify only
	certs  certCache

	requests requestCache // client requests whose signature verified

	replyKeys replyKeyCache // replica: MAC keys of the clients it answered
	client    *clientKeys   // client: its MAC keys with every replica (NewClient)

	maxBatch int // batches longer than this are refused before any signature check (0: no limit)
}

// SetBatchLimit makes every batch of more than n requests, or with an operation over
// pbft.MaxOpBytes, fail verification before any of its signatures is checked: no honest
// replica sends one (the core refuses them too), and checking one costs a faulty sender
// nothing but costs the receiver a signature check per request.
func (a *Authenticator) SetBatchLimit(n int) { a.maxBatch = n }

// New returns an authenticator for a replica (secret set) or a verifier (secret nil). It
// checks Ed25519 signatures with pub's expanded keys (crypto.ClusterPublic.Expanded), shared
// by all the authenticators made from pub.
func New(pub *crypto.ClusterPublic, secret *crypto.ReplicaSecret) *Authenticator {
	return &Authenticator{pub: pub, secret: secret}
}

// Public is the cluster's public key material.
func (a *Authenticator) Public() *crypto.ClusterPublic { return a.pub }

// Open verifies a replica frame and everything inside it, and returns the sender and message.
func (a *Authenticator) Open(frame []byte) (pbft.NodeID, pbft.Message, error) {
	from, m, err := a.OpenFrame(frame)
	if err != nil {
		return from, nil, err
	}
	if err := a.Verify(m); err != nil {
		return from, nil, fmt.Errorf("%s from %s: %w", m.Kind(), from, err)
	}
	return from, m, nil
}

// OpenFrame checks a replica frame's own signature and decodes its body, without checking
// what the body carries (Verify does): the sender is known for a cost of one Ed25519 check.
// An error names the sender when the frame named a known one.
func (a *Authenticator) OpenFrame(frame []byte) (pbft.NodeID, pbft.Message, error) {
	f, err := wire.DecodeFrame(frame)
	if err != nil {
		return 0, nil, err
	}
	from := pbft.NodeID(f.From)
	key, ok := a.replicaKey(int(from))
	if !ok || int(from) > a.pub.N {
		return 0, nil, ErrBadSender
	}
	if !key.Verify(wire.SignedBytes(f.From, f.Body), f.Sig) {
		return from, nil, ErrBadFrame
	}
	m, err := wire.Decode(f.Body)
	if err != nil {
		return from, nil, err
	}
	return from, m, nil
}

// ProvesFaulty reports whether err, returned by Verify for a message whose frame signature
// verified, shows that the frame's signer is faulty: the message carries a certificate, a
// client signature or a replica signature that does not verify. An honest replica checks
// all of them before it sends or relays them, and none depends on configuration that honest
// replicas could hold differently (unlike ErrUnknownUser or ErrBatchTooLarge).
func ProvesFaulty(err error) bool {
	return errors.Is(err, ErrBadCert) || errors.Is(err, ErrBadRequest) || errors.Is(err, ErrBadFrame)
}
