package node

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// fill adds this replica's shares and signatures to an outbound message (auth.Fill), or,
// under the sign attack, shares and signatures that do not verify.
func (nd *node) fill(m pbft.Message) (pbft.Message, error) {
	if nd.faults.acting().corrupt {
		return nd.badFill(m)
	}
	return nd.auth.Fill(m)
}

// sealFrame encodes a filled message and signs the frame (a damaged signature under the sign
// attack).
func (nd *node) sealFrame(filled pbft.Message) ([]byte, error) {
	body, err := wire.Encode(filled)
	if err != nil {
		return nil, err
	}
	if !nd.faults.acting().corrupt {
		return nd.auth.SealBody(body)
	}
	from := uint32(nd.id)
	sig := damaged(nd.secret.Ed25519.Sign(wire.SignedBytes(from, body)))
	return wire.EncodeFrame(wire.Frame{From: from, Body: body, Sig: sig})
}

// badFill fills shares computed over a wrong payload (the digest with one bit flipped): they
// are well-formed curve points that fail verification, which is what the collector's
// optimistic combination must survive. A VIEW-CHANGE gets a damaged signature.
func (nd *node) badFill(m pbft.Message) (pbft.Message, error) {
	tau, sigma := nd.secret.Tau, nd.secret.Sigma
	switch v := m.(type) {
	case *pbft.Prepare:
		c := *v
		p := pbft.SharePayload(pbft.SharePrepare, c.View, c.Seq, flipped(c.Digest))
		if !c.SigmaOnly {
			t, err := tau.Sign(p)
			if err != nil {
				return nil, err
			}
			c.Tau = t.Sig
		}
		s, err := sigma.Sign(p)
		if err != nil {
			return nil, err
		}
		c.Sigma = s.Sig
		return &c, nil
	case *pbft.Commit:
		c := *v
		t, err := tau.Sign(pbft.SharePayload(pbft.ShareCommit, c.View, c.Seq, flipped(c.Digest)))
		if err != nil {
			return nil, err
		}
		c.Tau = t.Sig
		return &c, nil
	case *pbft.Checkpoint:
		c := *v
		t, err := tau.Sign(pbft.CheckpointPayload(c.Seq, flipped(c.State)))
		if err != nil {
			return nil, err
		}
		c.Share = t.Sig
		return &c, nil
	}
	filled, err := nd.auth.Fill(m)
	if vc, ok := filled.(*pbft.ViewChange); ok && err == nil {
		vc.Sig = damaged(vc.Sig)
	}
	return filled, err
}

func flipped(d pbft.Digest) pbft.Digest {
	d[0] ^= 0x80
	return d
}

// damaged returns a copy of an Ed25519 signature with one bit of R flipped: it no longer
// verifies.
func damaged(sig []byte) []byte {
	out := append([]byte(nil), sig...)
	if len(out) > 0 {
		out[0] ^= 0x01
	}
	return out
}

// line formats a protocol log line in the one shape of the project:
// "n3 v=2 s=17 recv PREPARE-CERT from n2".
func (nd *node) line(verb string, m pbft.Message, peer string) string {
	if s, ok := slotOf(m); ok {
		return fmt.Sprintf("%s v=%d s=%d %s %s %s", nd.id, nd.core.View(), s, verb, m.Kind(), peer)
	}
	return fmt.Sprintf("%s v=%d %s %s %s", nd.id, nd.core.View(), verb, m.Kind(), peer)
}

// slotOf is the slot a message is about, for the messages that have one.
func slotOf(m pbft.Message) (pbft.Seq, bool) {
	switch v := m.(type) {
	case *pbft.PrePrepare:
		return v.Seq, true
	case *pbft.Prepare:
		return v.Seq, true
	case *pbft.Commit:
		return v.Seq, true
	case *pbft.Cert:
		return v.Seq, true
	case *pbft.Checkpoint:
		return v.Seq, true
	case *pbft.CheckpointCert:
		return v.Seq, true
	case *pbft.Combined:
		return v.Job.Seq, true
	}
	return 0, false
}
