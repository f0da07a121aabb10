package sim

import (
	"fmt"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// behavior is replica id's Byzantine behaviour (Honest unless Behaviors names it).
func (s *Sim) behavior(id pbft.NodeID) byzantine.Behavior {
	if b := s.Behaviors[id]; b != nil {
		return b
	}
	return byzantine.Honest{}
}

// sendByzantine passes one envelope of replica `from` through its behaviour and transmits what
// comes out: each message sealed once (copies to several replicas share the seal), damaged if
// the behaviour corrupts signatures, and delivered DelayTicks later than the network would.
func (s *Sim) sendByzantine(from pbft.NodeID, env pbft.Envelope) {
	b := s.behavior(from)
	corrupt := b.CorruptSignatures()
	sealedOf := map[pbft.Message]any{}
	for _, out := range b.Outbound(from, s.N, env) {
		hold := uint64(max(out.DelayTicks, 0))
		if s.Intercept != nil && out.To != from {
			extra, deliver := s.Intercept(from, out.To, out.Msg)
			if !deliver {
				continue
			}
			hold += extra
		}
		sealed, ok := sealedOf[out.Msg]
		if !ok {
			var err error
			if sealed, err = s.opts.Auth.Seal(from, out.Msg); err != nil {
				s.inv.err = err
				return
			}
			sealedOf[out.Msg] = sealed
		}
		if corrupt {
			sealed = s.damage(from, sealed, out.To == from)
		}
		s.transmit(from, out.To, sealed, hold)
	}
}

// Inject sends m as replica `from` to replica `to` now, sealed with from's keys: what a faulty
// replica that holds those keys can send at any time (a replay, a forged vote, a message of
// another view). It bypasses Intercept and from's behaviour.
func (s *Sim) Inject(from, to pbft.NodeID, m pbft.Message) error {
	sealed, err := s.opts.Auth.Seal(from, m)
	if err != nil {
		return err
	}
	s.transmit(from, to, sealed, 0)
	return nil
}

// Damager is implemented by authenticators that can play the `sign` attack: Damage returns a
// sealed message of `from` whose signatures and shares are invalid. The frame signature of the
// replica's own copy (local) stays valid, because a real node delivers its own messages locally
// without verifying them; its shares are damaged all the same, so that the replica finds its
// own share bad when it combines.
type Damager interface {
	Damage(from pbft.NodeID, sealed any, local bool) (any, error)
}

func (s *Sim) damage(from pbft.NodeID, sealed any, local bool) any {
	d, ok := s.opts.Auth.(Damager)
	if !ok {
		s.inv.err = fmt.Errorf("sim: authenticator %T cannot corrupt signatures", s.opts.Auth)
		return sealed
	}
	damaged, err := d.Damage(from, sealed, local)
	if err != nil {
		s.inv.err = err
		return sealed
	}
	return damaged
}

// Damage corrupts a fake seal: garbage shares, and a garbage frame signature unless local.
func (a *FakeAuth) Damage(_ pbft.NodeID, sealed any, local bool) (any, error) {
	fs, ok := sealed.(*fakeSealed)
	if !ok {
		return nil, fmt.Errorf("fake auth: cannot damage %T", sealed)
	}
	c := *fs
	c.msg = damageShares(c.msg, local)
	if !local {
		c.sig = flipped(c.sig)
	}
	return &c, nil
}

// Damage corrupts a wire frame: flipped shares, and a flipped Ed25519 frame signature unless
// local (then the damaged body is re-signed by its replica).
func (a *RealAuth) Damage(from pbft.NodeID, sealed any, local bool) (any, error) {
	frame, ok := sealed.([]byte)
	if !ok {
		return nil, fmt.Errorf("real auth: cannot damage %T", sealed)
	}
	return damageFrame(frame, local, a.replicas[from-1].SealBody)
}

// damageFrame decodes a wire frame, damages the shares in its body and then the frame
// signature (or, for a local copy, re-signs the damaged body with reseal).
func damageFrame(frame []byte, local bool, reseal func([]byte) ([]byte, error)) ([]byte, error) {
	f, err := wire.DecodeFrame(frame)
	if err != nil {
		return nil, err
	}
	m, err := wire.Decode(f.Body)
	if err != nil {
		return nil, err
	}
	if f.Body, err = wire.Encode(damageShares(m, local)); err != nil {
		return nil, err
	}
	if local {
		return reseal(f.Body)
	}
	f.Sig = flipped(f.Sig)
	return wire.EncodeFrame(f)
}

// damageShares returns a copy of m whose threshold shares are flipped, and, unless the copy is
// local, its VIEW-CHANGE signature (a replica does not verify its own VIEW-CHANGE). Other
// messages carry no signature of their sender's besides the frame's and are returned as is.
func damageShares(m pbft.Message, local bool) pbft.Message {
	switch v := m.(type) {
	case *pbft.Prepare:
		c := *v
		c.Tau, c.Sigma = flipped(c.Tau), flipped(c.Sigma)
		return &c
	case *pbft.Commit:
		c := *v
		c.Tau = flipped(c.Tau)
		return &c
	case *pbft.Checkpoint:
		c := *v
		c.Share = flipped(c.Share)
		return &c
	case *pbft.ViewChange:
		if local {
			return m
		}
		c := *v
		c.Sig = flipped(c.Sig)
		return &c
	}
	return m
}

// flipped is a copy of sig with its last byte changed (an empty one becomes a single byte).
func flipped(sig []byte) []byte {
	if len(sig) == 0 {
		return []byte{0xff}
	}
	c := append([]byte(nil), sig...)
	c[len(c)-1] ^= 0x5a
	return c
}

// RejectCounts are the messages a replica refused, by reason (SPEC 3.2).
type RejectCounts struct {
	BadSignature          int    // frames, client requests or certificates that failed verification
	BadShare              uint64 // shares found bad when the collector combined them
	ConflictingPrePrepare uint64 // pre-prepares conflicting with one accepted for the same (v, s)
	Other                 uint64 // refused by the core: wrong view, out of window, bad digest
}

// Rejects are replica id's refusals so far.
func (s *Sim) Rejects(id pbft.NodeID) RejectCounts {
	st := s.Replica(id).Stats()
	return RejectCounts{BadSignature: s.badSignatures[id], BadShare: st.BadShares,
		ConflictingPrePrepare: st.RejectedConflicts, Other: st.RejectedMessages}
}

// WithheldReplies is the number of client replies replica id's behaviour withheld.
func (s *Sim) WithheldReplies(id pbft.NodeID) int { return s.withheld[id] }

// replyFrom authenticates one reply of replica `from` as its behaviour dictates; false means
// the reply is withheld.
func (s *Sim) replyFrom(from pbft.NodeID, rep *pbft.Reply) bool {
	b := s.behavior(from)
	if b.DropReply(rep) {
		s.withheld[from]++
		return false
	}
	s.opts.Auth.SignReply(rep)
	if b.CorruptSignatures() {
		rep.Sig = flipped(rep.Sig)
	}
	return true
}
