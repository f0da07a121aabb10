package auth

import (
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// Sealer makes what one replica sends: its shares and signatures in a message (Fill), the
// signed frame around it (Frame) and the MAC of a reply (SignReply). It is the one place that
// seals, for the node and for the simulator alike. A corrupt sealer plays the `sign` attack
// (byzantine.Sign): its shares are well-formed curve points computed over a wrong payload, so
// they fail verification only when checked (which the collector's optimistic combination must
// survive), and its frame, VIEW-CHANGE and reply signatures are damaged.
type Sealer struct {
	a       *Authenticator
	corrupt bool
}

// Sealer returns this replica's sealer: honest, or the sign attack's when corrupt.
func (a *Authenticator) Sealer(corrupt bool) Sealer { return Sealer{a: a, corrupt: corrupt} }

// Fill adds this replica's shares and signatures to an outbound message, in place on a copy,
// and returns the message to encode (or to deliver to the replica itself).
func (a *Authenticator) Fill(m pbft.Message) (pbft.Message, error) { return a.Sealer(false).Fill(m) }

// Seal fills, encodes and signs a message as this replica: the bytes that go on the wire.
func (a *Authenticator) Seal(m pbft.Message) ([]byte, error) {
	s := a.Sealer(false)
	filled, err := s.Fill(m)
	if err != nil {
		return nil, err
	}
	return s.Frame(filled)
}

// SealBody signs an encoded body as this replica and frames it.
func (a *Authenticator) SealBody(body []byte) ([]byte, error) { return a.Sealer(false).frame(body) }

// Fill adds the replica's shares and signatures to a copy of m (see Authenticator.Fill).
func (s Sealer) Fill(m pbft.Message) (pbft.Message, error) {
	sec := s.a.secret
	if sec == nil {
		return nil, ErrNotReplica
	}
	switch v := m.(type) {
	case *pbft.Prepare:
		c := *v
		p := pbft.SharePayload(pbft.SharePrepare, c.View, c.Seq, s.digest(c.Digest))
		var err error
		if !c.SigmaOnly {
			if c.Tau, err = share(sec.Tau, p); err != nil {
				return nil, err
			}
		}
		c.Sigma, err = share(sec.Sigma, p)
		return orNil(&c, err)
	case *pbft.Commit:
		c := *v
		var err error
		c.Tau, err = share(sec.Tau, pbft.SharePayload(pbft.ShareCommit, c.View, c.Seq, s.digest(c.Digest)))
		return orNil(&c, err)
	case *pbft.Checkpoint:
		c := *v
		var err error
		c.Share, err = share(sec.Tau, pbft.CheckpointPayload(c.Seq, s.digest(c.State)))
		return orNil(&c, err)
	case *pbft.ViewChange:
		c := *v
		c.Sig = nil
		c.Sig = s.damage(sec.Ed25519.Sign(wire.ViewChangeSignedBytes(&c)))
		return &c, nil
	}
	return m, nil
}

// Frame encodes a filled message and signs the frame as the replica.
func (s Sealer) Frame(filled pbft.Message) ([]byte, error) {
	body, err := wire.Encode(filled)
	if err != nil {
		return nil, err
	}
	return s.frame(body)
}

func (s Sealer) frame(body []byte) ([]byte, error) {
	if s.a.secret == nil {
		return nil, ErrNotReplica
	}
	from := uint32(s.a.secret.ID)
	sig := s.damage(s.a.secret.Ed25519.Sign(wire.SignedBytes(from, body)))
	return wire.EncodeFrame(wire.Frame{From: from, Body: body, Sig: sig})
}

// SignReply MACs a reply for its client as the replica (Authenticator.SignReply).
func (s Sealer) SignReply(rep *pbft.Reply) {
	s.a.SignReply(rep)
	rep.Sig = s.damage(rep.Sig)
}

// digest is what the replica's shares are computed over: d, or for a corrupt sealer d with
// its first bit flipped.
func (s Sealer) digest(d pbft.Digest) pbft.Digest {
	if s.corrupt {
		d[0] ^= 0x80
	}
	return d
}

// damage returns sig, or for a corrupt sealer a copy with one bit of R flipped (it no longer
// verifies).
func (s Sealer) damage(sig []byte) []byte {
	if !s.corrupt || len(sig) == 0 {
		return sig
	}
	out := append([]byte(nil), sig...)
	out[0] ^= 0x01
	return out
}

// share signs payload with a threshold key share.
func share(key crypto.ThresholdSigner, payload []byte) ([]byte, error) {
	sh, err := key.Sign(payload)
	if err != nil {
		return nil, err
	}
	return sh.Sig, nil
}

// orNil is m, or nil when err is set: a message half filled is never returned.
func orNil(m pbft.Message, err error) (pbft.Message, error) {
	if err != nil {
		return nil, err
	}
	return m, nil
}
