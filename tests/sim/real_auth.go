package sim

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
)

// RealAuth is the production authenticator (pbft/auth) behind the simulator's Auth seam:
// Ed25519 frames over the protobuf wire encoding, threshold BLS shares and certificates.
type RealAuth struct {
	replicas []*auth.Authenticator
	verifier *auth.Authenticator
	clients  map[pbft.ClientID]*crypto.SigningKey
	readers  map[pbft.ClientID]*auth.Authenticator // each client's reply checker, made on first use
	// opened caches frames already verified: a broadcast reaches n replicas as the same bytes,
	// and the simulator runs them all in one process, so each distinct frame is verified once.
	opened map[[32]byte]opened
	// NoCache verifies every delivery, as n separate processes would (for benchmarks).
	NoCache bool
}

type opened struct {
	from pbft.NodeID
	msg  pbft.Message
}

const maxOpened = 1 << 16

// NewRealAuth deals a cluster's keys deterministically from seed, for n = 3f+1 replicas and
// the simulator's clients.
func NewRealAuth(scheme string, f, clients int, seed []byte) (*RealAuth, error) {
	keys, err := crypto.DealCluster(scheme, 3*f+1, f, seed)
	if err != nil {
		return nil, err
	}
	names := make([]string, clients)
	for i := range names {
		names[i] = AccountName(i)
	}
	if err := keys.AddClients(seed, names...); err != nil {
		return nil, err
	}
	a := &RealAuth{verifier: auth.New(keys.Public, nil), clients: map[pbft.ClientID]*crypto.SigningKey{}}
	for _, sec := range keys.Replicas {
		a.replicas = append(a.replicas, auth.New(keys.Public, sec))
	}
	for name, k := range keys.Clients {
		a.clients[pbft.ClientID(name)] = k
	}
	return a, nil
}

// Fill fills m as replica from, with the node's sealer (auth.Sealer).
func (a *RealAuth) Fill(from pbft.NodeID, m pbft.Message, corrupt bool) (pbft.Message, error) {
	return a.replicas[from-1].Sealer(corrupt).Fill(m)
}

// Frame encodes and signs a filled message as replica from: a wire frame.
func (a *RealAuth) Frame(from pbft.NodeID, filled pbft.Message, corrupt bool) (any, error) {
	return a.replicas[from-1].Sealer(corrupt).Frame(filled)
}

// Open verifies a frame and checks it comes from `from`.
func (a *RealAuth) Open(from pbft.NodeID, sealed any) (pbft.Message, error) {
	frame, ok := sealed.([]byte)
	if !ok {
		return nil, errors.New("real auth: not a frame")
	}
	key := sha256.Sum256(frame)
	o, ok := a.opened[key]
	if !ok || a.NoCache {
		got, m, err := a.verifier.Open(frame)
		if err != nil {
			return nil, err
		}
		if a.opened == nil || len(a.opened) >= maxOpened {
			a.opened = map[[32]byte]opened{}
		}
		o = opened{got, m}
		a.opened[key] = o
	}
	got, m := o.from, o.msg
	if got != from {
		return nil, fmt.Errorf("real auth: frame from %s delivered as from %s", got, from)
	}
	return m, nil
}

// Combine combines shares optimistically.
func (a *RealAuth) Combine(job pbft.CombineJob) pbft.Combined { return a.verifier.Combine(job) }

// SignRequest signs with the client's Ed25519 key.
func (a *RealAuth) SignRequest(req *pbft.Request) { auth.SignRequest(a.clients[req.Client], req) }

// VerifyRequest checks a client signature.
func (a *RealAuth) VerifyRequest(req *pbft.Request) error { return a.verifier.VerifyRequest(req) }

// SignReply signs as the reply's replica.
func (a *RealAuth) SignReply(rep *pbft.Reply, corrupt bool) {
	a.replicas[rep.Replica-1].Sealer(corrupt).SignReply(rep)
}

// VerifyReply checks a reply's MAC as its client does.
func (a *RealAuth) VerifyReply(rep *pbft.Reply) error {
	r, ok := a.readers[rep.Client]
	if !ok {
		key, known := a.clients[rep.Client]
		if !known {
			return auth.ErrUnknownUser
		}
		var err error
		if r, err = auth.NewClient(a.verifier.Public(), rep.Client, key); err != nil {
			return err
		}
		if a.readers == nil {
			a.readers = map[pbft.ClientID]*auth.Authenticator{}
		}
		a.readers[rep.Client] = r
	}
	return r.VerifyReply(rep)
}
