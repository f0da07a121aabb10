package wire

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// The functions of this file convert protobuf values back to pbft values and validate them:
// every error wraps ErrMalformed or ErrTooLarge. Byte slices are taken over from the protobuf
// value, which proto.Unmarshal has already copied out of the input.

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

func digestFromPb(b []byte, what string) (pbft.Digest, error) {
	var d pbft.Digest
	if len(b) != len(d) {
		return d, malformed("%s is %d bytes, want %d", what, len(b), len(d))
	}
	copy(d[:], b)
	return d, nil
}

// sigFromPb bounds a signature or share; empty decodes as nil.
func sigFromPb(b []byte, what string) ([]byte, error) {
	if len(b) > MaxSigLen {
		return nil, fmt.Errorf("%w: %s is %d bytes, max %d", ErrTooLarge, what, len(b), MaxSigLen)
	}
	return bytesOrNil(b), nil
}

func bytesOrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func clientFromPb(s []byte) (pbft.ClientID, error) {
	if len(s) == 0 {
		return "", malformed("empty client id")
	}
	if len(s) > MaxClientIDLen {
		return "", fmt.Errorf("%w: client id is %d bytes, max %d", ErrTooLarge, len(s), MaxClientIDLen)
	}
	return pbft.ClientID(s), nil
}

func requestFromPb(pb *RequestPb, r *pbft.Request) error {
	if pb == nil {
		return malformed("missing request")
	}
	client, err := clientFromPb(pb.Client)
	if err != nil {
		return err
	}
	sig, err := sigFromPb(pb.Sig, "request signature")
	if err != nil {
		return err
	}
	*r = pbft.Request{Client: client, Timestamp: pb.Timestamp, Op: bytesOrNil(pb.Op), ReadOnly: pb.ReadOnly, Sig: sig}
	return nil
}

func batchFromPb(pbs []*RequestPb) ([]pbft.Request, error) {
	if len(pbs) == 0 {
		return nil, nil
	}
	batch := make([]pbft.Request, len(pbs))
	for i, pb := range pbs {
		if err := requestFromPb(pb, &batch[i]); err != nil {
			return nil, fmt.Errorf("batch[%d]: %w", i, err)
		}
	}
	return batch, nil
}

func replyFromPb(pb *ReplyPb) (*pbft.Reply, error) {
	client, err := clientFromPb(pb.Client)
	if err != nil {
		return nil, err
	}
	sig, err := sigFromPb(pb.Sig, "reply signature")
	if err != nil {
		return nil, err
	}
	rep := &pbft.Reply{
		View: pbft.View(pb.View), Replica: pbft.NodeID(pb.Replica), Client: client, Timestamp: pb.Timestamp,
		ReadOnly: pb.ReadOnly, Result: bytesOrNil(pb.Result), Seq: pbft.Seq(pb.Seq), Sig: sig,
	}
	if err := setReplyOp(rep, pb.Op); err != nil {
		return nil, err
	}
	return rep, nil
}

func forwardFromPb(pb *ForwardRequestPb) (*pbft.ForwardRequest, error) {
	m := &pbft.ForwardRequest{}
	if pb == nil {
		return nil, malformed("missing forward request")
	}
	if err := requestFromPb(pb.Req, &m.Req); err != nil {
		return nil, err
	}
	return m, nil
}

func prePrepareFromPb(pb *PrePreparePb) (*pbft.PrePrepare, error) {
	if pb == nil {
		return nil, malformed("missing pre-prepare")
	}
	d, err := digestFromPb(pb.Digest, "pre-prepare digest")
	if err != nil {
		return nil, err
	}
	batch, err := batchFromPb(pb.Batch)
	if err != nil {
		return nil, err
	}
	return &pbft.PrePrepare{View: pbft.View(pb.View), Seq: pbft.Seq(pb.Seq), Digest: d, Batch: batch, WantTau: pb.WantTau}, nil
}

func prepareFromPb(pb *PreparePb) (*pbft.Prepare, error) {
	d, err := digestFromPb(pb.Digest, "prepare digest")
	if err != nil {
		return nil, err
	}
	m := &pbft.Prepare{View: pbft.View(pb.View), Seq: pbft.Seq(pb.Seq), Digest: d}
	if m.Tau, err = sigFromPb(pb.Tau, "prepare tau share"); err != nil {
		return nil, err
	}
	if m.Sigma, err = sigFromPb(pb.Sigma, "prepare sigma share"); err != nil {
		return nil, err
	}
	return m, nil
}

func commitFromPb(pb *CommitPb) (*pbft.Commit, error) {
	d, err := digestFromPb(pb.Digest, "commit digest")
	if err != nil {
		return nil, err
	}
	m := &pbft.Commit{View: pbft.View(pb.View), Seq: pbft.Seq(pb.Seq), Digest: d}
	if m.Tau, err = sigFromPb(pb.Tau, "commit tau share"); err != nil {
		return nil, err
	}
	return m, nil
}

func certFromPb(pb *CertPb) (*pbft.Cert, error) {
	if pb == nil {
		return nil, malformed("missing certificate")
	}
	kind := pbft.CertKind(pb.Type)
	if pb.Type > 255 || (kind != pbft.PrepareCert && kind != pbft.CommitCert && kind != pbft.FullCommitProof) {
		return nil, malformed("unknown certificate type %d", pb.Type)
	}
	d, err := digestFromPb(pb.Digest, "certificate digest")
	if err != nil {
		return nil, err
	}
	sig, err := sigFromPb(pb.Sig, "certificate signature")
	if err != nil {
		return nil, err
	}
	return &pbft.Cert{Type: kind, View: pbft.View(pb.View), Seq: pbft.Seq(pb.Seq), Digest: d, Sig: sig}, nil
}

func checkpointFromPb(pb *CheckpointPb) (*pbft.Checkpoint, error) {
	state, err := digestFromPb(pb.State, "checkpoint state")
	if err != nil {
		return nil, err
	}
	share, err := sigFromPb(pb.Share, "checkpoint share")
	if err != nil {
		return nil, err
	}
	return &pbft.Checkpoint{Seq: pbft.Seq(pb.Seq), State: state, Share: share}, nil
}

func checkpointCertFromPb(pb *CheckpointCertPb) (*pbft.CheckpointCert, error) {
	if pb == nil {
		return nil, malformed("missing checkpoint certificate")
	}
	state, err := digestFromPb(pb.State, "checkpoint certificate state")
	if err != nil {
		return nil, err
	}
	sig, err := sigFromPb(pb.Sig, "checkpoint certificate signature")
	if err != nil {
		return nil, err
	}
	return &pbft.CheckpointCert{Seq: pbft.Seq(pb.Seq), State: state, Sig: sig}, nil
}
