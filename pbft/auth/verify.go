package auth

import (
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// Verify checks the signatures a message carries (client requests, certificates, VIEW-CHANGE
// signatures); not the shares of PREPARE, COMMIT and CHECKPOINT (see Combine).
func (a *Authenticator) Verify(m pbft.Message) error {
	switch v := m.(type) {
	case *pbft.ForwardRequest:
		return a.VerifyRequest(&v.Req)
	case *pbft.PrePrepare:
		return a.verifyBatch(v.Batch)
	case *pbft.Cert:
		return a.VerifyCert(v)
	case *pbft.CheckpointCert:
		return a.VerifyCheckpoint(v)
	case *pbft.Status:
		return a.VerifyCheckpoint(&v.Stable)
	case *pbft.ViewChange:
		return a.verifyViewChange(v)
	case *pbft.NewView:
		return a.verifyNewView(v)
	case *pbft.FetchReply:
		return a.verifyFetchReply(v)
	case *pbft.BatchReply:
		return a.verifyBatch(v.Batch)
	}
	return nil
}

// VerifyCert checks a normal-case certificate: τ for PREPARE-CERT and COMMIT-CERT, σ for a
// FULL-COMMIT-PROOF.
func (a *Authenticator) VerifyCert(c *pbft.Cert) error {
	var key crypto.ThresholdPublic
	switch c.Type {
	case pbft.PrepareCert, pbft.CommitCert:
		key = a.pub.Tau
	case pbft.FullCommitProof:
		key = a.pub.Sigma
	default:
		return ErrBadCert
	}
	return a.verifyThreshold(key, byte(c.Type), pbft.CertPayload(c), c.Sig)
}

// verifyThreshold checks a combined signature, remembering the ones that verified.
func (a *Authenticator) verifyThreshold(key crypto.ThresholdPublic, kind byte, payload, sig []byte) error {
	k := certKey(kind, payload, sig)
	if a.certs.has(k) {
		return nil
	}
	if key.Verify(payload, sig) != nil {
		return ErrBadCert
	}
	a.certs.add(k)
	return nil
}

// VerifyCheckpoint checks a checkpoint certificate; the genesis checkpoint (slot 0) needs none.
func (a *Authenticator) VerifyCheckpoint(c *pbft.CheckpointCert) error {
	if c.Seq == 0 {
		return nil
	}
	return a.verifyThreshold(a.pub.Tau, 0, pbft.CheckpointPayload(c.Seq, c.State), c.Sig)
}

func (a *Authenticator) verifyViewChange(vc *pbft.ViewChange) error {
	key, ok := a.replicaKey(int(vc.Replica))
	if !ok || int(vc.Replica) > a.pub.N {
		return ErrBadSender
	}
	if !key.Verify(wire.ViewChangeSignedBytes(vc), vc.Sig) {
		return ErrBadFrame
	}
	if err := a.VerifyCheckpoint(&vc.Stable); err != nil {
		return err
	}
	// Every batch it carries is checked as a pre-prepare's would be: the new leader proposes
	// them in O, and the backups would refuse a NEW-VIEW with a bad client signature.
	for i := range vc.Prepared {
		if err := a.VerifyCert(&vc.Prepared[i].Cert); err != nil {
			return err
		}
		if err := a.verifyBatch(vc.Prepared[i].Batch); err != nil {
			return err
		}
	}
	for i := range vc.Votes {
		if err := a.verifyBatch(vc.Votes[i].Batch); err != nil {
			return err
		}
	}
	return nil
}

func (a *Authenticator) verifyNewView(nv *pbft.NewView) error {
	for i := range nv.ViewChanges {
		if err := a.verifyViewChange(&nv.ViewChanges[i]); err != nil {
			return err
		}
	}
	// The core recomputes O from V (slim copies: digests only) and checks that every batch
	// here matches its digest. The client signatures are checked as in any pre-prepare.
	for i := range nv.PrePrepares {
		if err := a.verifyBatch(nv.PrePrepares[i].Batch); err != nil {
			return err
		}
	}
	return nil
}

// verifyFetchReply checks the snapshot's checkpoint certificate and every slot's commit
// certificate. Client signatures inside committed batches need no check: the certificate
// proves that 2f+1 replicas, f+1 of them honest, verified them.
func (a *Authenticator) verifyFetchReply(fr *pbft.FetchReply) error {
	if fr.Snapshot != nil {
		if err := a.VerifyCheckpoint(&fr.Snapshot.Cert); err != nil {
			return err
		}
	}
	for i := range fr.Slots {
		if err := a.VerifyCert(&fr.Slots[i].Cert); err != nil {
			return err
		}
	}
	return nil
}

// Combine runs a CombineJob: optimistic combination (combine, verify once, and only on
// failure verify the shares one by one) under the job's key.
func (a *Authenticator) Combine(job pbft.CombineJob) pbft.Combined {
	key := a.pub.Tau
	if job.Key == pbft.KeySigma {
		key = a.pub.Sigma
	}
	shares := make([]crypto.Share, len(job.Shares))
	for i, s := range job.Shares {
		shares[i] = crypto.Share{Index: int(s.From), Sig: s.Sig}
	}
	out := pbft.Combined{Job: job}
	sig, bad, err := crypto.CombineOptimistic(key, job.Payload(), shares)
	for _, idx := range bad {
		out.Bad = append(out.Bad, pbft.NodeID(idx))
	}
	if err == nil {
		out.Sig = sig
	}
	return out
}

// SignRequest signs a client request with the client's key. The signature carries its hint
// (crypto.SignWithHint), which spares every replica decompressing its R.
func SignRequest(key *crypto.SigningKey, r *pbft.Request) {
	r.Sig = key.SignWithHint(r.SignedBytes())
}
