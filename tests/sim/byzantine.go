package sim

import (
	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/pbft"
)

// behavior is replica id's Byzantine behaviour (Honest unless Behaviors names it).
func (s *Sim) behavior(id pbft.NodeID) byzantine.Behavior {
	if b := s.Behaviors[id]; b != nil {
		return b
	}
	return byzantine.Honest{}
}

// sendByzantine passes one envelope of replica `from` through its behaviour and transmits what
// comes out, as the node does (byzantine.Route, auth.Sealer): each distinct message is filled
// once, corrupted if the behaviour corrupts signatures; the replica's own copy is that filled
// message, delivered locally without authentication, and its peers get one sealed frame,
// DelayTicks later than the network would deliver it.
func (s *Sim) sendByzantine(from pbft.NodeID, env pbft.Envelope) {
	b := s.behavior(from)
	corrupt := b.CorruptSignatures()
	for _, g := range byzantine.Route(b, from, s.N, env) {
		filled, err := s.opts.Auth.Fill(from, g.Msg, corrupt)
		if err != nil {
			s.inv.err = err
			return
		}
		var frame any
		for _, out := range g.Outs {
			hold := uint64(max(out.DelayTicks, 0))
			if out.To == from {
				s.deliverLocal(from, filled, hold)
				continue
			}
			if s.Intercept != nil {
				extra, deliver := s.Intercept(from, out.To, out.Msg)
				if !deliver {
					continue
				}
				hold += extra
			}
			if frame == nil {
				if frame, err = s.opts.Auth.Frame(from, filled, corrupt); err != nil {
					s.inv.err = err
					return
				}
			}
			s.transmit(from, out.To, frame, hold)
		}
	}
}

// Inject sends m as replica `from` to replica `to` now, sealed with from's keys: what a faulty
// replica that holds those keys can send at any time (a replay, a forged vote, a message of
// another view). It bypasses Intercept and from's behaviour.
func (s *Sim) Inject(from, to pbft.NodeID, m pbft.Message) error {
	filled, err := s.opts.Auth.Fill(from, m, false)
	if err != nil {
		return err
	}
	frame, err := s.opts.Auth.Frame(from, filled, false)
	if err != nil {
		return err
	}
	s.transmit(from, to, frame, 0)
	return nil
}

// RejectCounts are the messages a replica refused, by reason (docs/protocol.md, "Authentication").
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
	s.opts.Auth.SignReply(rep, b.CorruptSignatures())
	return true
}
