package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"

	"github.com/bftbank/pbft/pbft"
)

// FakeAuth is a FAKE authenticator for large simulations: "signatures" are keyed hashes that
// anyone who knows the scheme could forge. It models the real one's rules (who may sign what,
// which shares combine, which certificates verify) so that the protocol logic is exercised
// quickly; the same scenarios also run against the real authenticator.
type FakeAuth struct {
	N, F int
}

type fakeSealed struct {
	from pbft.NodeID
	msg  pbft.Message
	sig  []byte
}

func fakeTag(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(p)))
		h.Write(n[:])
		h.Write(p)
	}
	return h.Sum(nil)
}

func idBytes(id pbft.NodeID) []byte { return binary.BigEndian.AppendUint32(nil, uint32(id)) }

// share is replica id's fake share of payload; a corrupt one never combines.
func (a *FakeAuth) share(id pbft.NodeID, key pbft.KeyKind, payload []byte, corrupt bool) []byte {
	if corrupt {
		return []byte("garbage share")
	}
	return fakeTag([]byte("share"), []byte{byte(key)}, idBytes(id), payload)
}

func (a *FakeAuth) certSig(key pbft.KeyKind, payload []byte) []byte {
	return fakeTag([]byte("cert"), []byte{byte(key)}, payload)
}

// Fill adds fake shares and a fake VIEW-CHANGE signature.
func (a *FakeAuth) Fill(from pbft.NodeID, m pbft.Message, corrupt bool) (pbft.Message, error) {
	switch v := m.(type) {
	case *pbft.Prepare:
		c := *v
		p := pbft.SharePayload(pbft.SharePrepare, c.View, c.Seq, c.Digest)
		if !c.SigmaOnly {
			c.Tau = a.share(from, pbft.KeyTau, p, corrupt)
		}
		c.Sigma = a.share(from, pbft.KeySigma, p, corrupt)
		return &c, nil
	case *pbft.Commit:
		c := *v
		c.Tau = a.share(from, pbft.KeyTau, pbft.SharePayload(pbft.ShareCommit, c.View, c.Seq, c.Digest), corrupt)
		return &c, nil
	case *pbft.Checkpoint:
		c := *v
		c.Share = a.share(from, pbft.KeyTau, pbft.CheckpointPayload(c.Seq, c.State), corrupt)
		return &c, nil
	case *pbft.ViewChange:
		c := *v
		c.Sig = a.frameSig(from, []byte("vc"), corrupt)
		return &c, nil
	}
	return m, nil
}

// Frame "signs" a filled message.
func (a *FakeAuth) Frame(from pbft.NodeID, filled pbft.Message, corrupt bool) (any, error) {
	return &fakeSealed{from: from, msg: filled, sig: a.frameSig(from, []byte(filled.Kind()), corrupt)}, nil
}

// frameSig is replica from's fake signature of what; a corrupt one never verifies.
func (a *FakeAuth) frameSig(from pbft.NodeID, what []byte, corrupt bool) []byte {
	if corrupt {
		return []byte("bad")
	}
	return fakeTag([]byte("frame"), idBytes(from), what)
}

var errFake = errors.New("fake auth: verification failed")

// Open checks the frame "signature", client signatures in batches and every certificate.
func (a *FakeAuth) Open(from pbft.NodeID, sealed any) (pbft.Message, error) {
	s, ok := sealed.(*fakeSealed)
	if !ok || s.from != from || !bytes.Equal(s.sig, a.frameSig(from, []byte(s.msg.Kind()), false)) {
		return nil, errFake
	}
	if err := a.check(s.msg); err != nil {
		return nil, err
	}
	return s.msg, nil
}

func (a *FakeAuth) check(m pbft.Message) error {
	switch v := m.(type) {
	case *pbft.ForwardRequest:
		return a.VerifyRequest(&v.Req)
	case *pbft.PrePrepare:
		return a.checkBatch(v.Batch)
	case *pbft.Cert:
		return a.checkCert(v)
	case *pbft.CheckpointCert:
		return a.checkCkpt(v)
	case *pbft.Status:
		return a.checkCkpt(&v.Stable)
	case *pbft.ViewChange:
		return a.checkViewChange(v)
	case *pbft.NewView:
		for i := range v.ViewChanges {
			if err := a.checkViewChange(&v.ViewChanges[i]); err != nil {
				return err
			}
		}
		for i := range v.PrePrepares {
			if err := a.checkBatch(v.PrePrepares[i].Batch); err != nil {
				return err
			}
		}
	case *pbft.BatchReply:
		return a.checkBatch(v.Batch)
	case *pbft.FetchReply:
		if v.Snapshot != nil {
			if err := a.checkCkpt(&v.Snapshot.Cert); err != nil {
				return err
			}
		}
		for i := range v.Slots {
			if err := a.checkCert(&v.Slots[i].Cert); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *FakeAuth) checkBatch(batch []pbft.Request) error {
	for i := range batch {
		if err := a.VerifyRequest(&batch[i]); err != nil {
			return err
		}
	}
	return nil
}

func (a *FakeAuth) checkCert(c *pbft.Cert) error {
	key := pbft.KeyTau
	if c.Type == pbft.FullCommitProof {
		key = pbft.KeySigma
	}
	if !bytes.Equal(c.Sig, a.certSig(key, pbft.CertPayload(c))) {
		return errFake
	}
	return nil
}

func (a *FakeAuth) checkCkpt(c *pbft.CheckpointCert) error {
	if c.Seq == 0 {
		return nil
	}
	if !bytes.Equal(c.Sig, a.certSig(pbft.KeyTau, pbft.CheckpointPayload(c.Seq, c.State))) {
		return errFake
	}
	return nil
}

func (a *FakeAuth) checkViewChange(vc *pbft.ViewChange) error {
	if !bytes.Equal(vc.Sig, a.frameSig(vc.Replica, []byte("vc"), false)) {
		return errFake
	}
	if err := a.checkCkpt(&vc.Stable); err != nil {
		return err
	}
	for i := range vc.Prepared {
		if err := a.checkCert(&vc.Prepared[i].Cert); err != nil {
			return err
		}
		if err := a.checkBatch(vc.Prepared[i].Batch); err != nil {
			return err
		}
	}
	for i := range vc.Votes {
		if err := a.checkBatch(vc.Votes[i].Batch); err != nil {
			return err
		}
	}
	return nil
}

// Combine checks each share and "combines" when enough are good.
func (a *FakeAuth) Combine(job pbft.CombineJob) pbft.Combined {
	need := 2*a.F + 1
	if job.Key == pbft.KeySigma {
		need = a.N
	}
	payload := job.Payload()
	out := pbft.Combined{Job: job}
	good := 0
	for _, sh := range job.Shares {
		if bytes.Equal(sh.Sig, fakeTag([]byte("share"), []byte{byte(job.Key)}, idBytes(sh.From), payload)) {
			good++
		} else {
			out.Bad = append(out.Bad, sh.From)
		}
	}
	if good >= need {
		out.Sig = a.certSig(job.Key, payload)
	}
	return out
}

// SignRequest "signs" a client request.
func (a *FakeAuth) SignRequest(req *pbft.Request) {
	req.Sig = fakeTag([]byte("req"), req.SignedBytes())
}

// VerifyRequest checks a client "signature".
func (a *FakeAuth) VerifyRequest(req *pbft.Request) error {
	if !bytes.Equal(req.Sig, fakeTag([]byte("req"), req.SignedBytes())) {
		return errFake
	}
	return nil
}

// SignReply "signs" a reply.
func (a *FakeAuth) SignReply(rep *pbft.Reply, corrupt bool) {
	rep.Sig = a.frameSig(rep.Replica, rep.Result, corrupt)
}

// VerifyReply checks a reply "signature".
func (a *FakeAuth) VerifyReply(rep *pbft.Reply) error {
	if !bytes.Equal(rep.Sig, a.frameSig(rep.Replica, rep.Result, false)) {
		return errFake
	}
	return nil
}
