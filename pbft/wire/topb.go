package wire

import "github.com/bftbank/pbft/pbft"

// The functions of this file convert pbft values to their protobuf form. Byte slices alias the
// pbft value: the result lives only until it is marshaled.

func requestToPb(r *pbft.Request, pb *RequestPb) *RequestPb {
	pb.Client = stringBytes(string(r.Client))
	pb.Timestamp = r.Timestamp
	pb.Op = r.Op
	pb.ReadOnly = r.ReadOnly
	pb.Sig = r.Sig
	return pb
}

// batchToPb allocates the whole batch at once: PrePrepare encoding is on the hot path.
func batchToPb(batch []pbft.Request) []*RequestPb {
	if len(batch) == 0 {
		return nil
	}
	pbs := make([]RequestPb, len(batch))
	out := make([]*RequestPb, len(batch))
	for i := range batch {
		out[i] = requestToPb(&batch[i], &pbs[i])
	}
	return out
}

func prePrepareToPb(m *pbft.PrePrepare) *PrePreparePb {
	return &PrePreparePb{View: uint64(m.View), Seq: uint64(m.Seq), Digest: m.Digest[:], Batch: batchToPb(m.Batch), WantTau: m.WantTau}
}

func prepareToPb(m *pbft.Prepare) *PreparePb {
	return &PreparePb{View: uint64(m.View), Seq: uint64(m.Seq), Digest: m.Digest[:], Tau: m.Tau, Sigma: m.Sigma}
}

func commitToPb(m *pbft.Commit) *CommitPb {
	return &CommitPb{View: uint64(m.View), Seq: uint64(m.Seq), Digest: m.Digest[:], Tau: m.Tau}
}

func certToPb(m *pbft.Cert) *CertPb {
	return &CertPb{Type: uint32(m.Type), View: uint64(m.View), Seq: uint64(m.Seq), Digest: m.Digest[:], Sig: m.Sig}
}

func checkpointToPb(m *pbft.Checkpoint) *CheckpointPb {
	return &CheckpointPb{Seq: uint64(m.Seq), State: m.State[:], Share: m.Share}
}

func checkpointCertToPb(m *pbft.CheckpointCert) *CheckpointCertPb {
	return &CheckpointCertPb{Seq: uint64(m.Seq), State: m.State[:], Sig: m.Sig}
}

func viewChangeToPb(m *pbft.ViewChange) *ViewChangePb {
	pb := &ViewChangePb{
		View: uint64(m.View), Replica: uint32(m.Replica), Stable: checkpointCertToPb(&m.Stable), Sig: m.Sig,
	}
	for i := range m.Prepared {
		e := &m.Prepared[i]
		pb.Prepared = append(pb.Prepared, &PreparedEntryPb{Cert: certToPb(&e.Cert), Batch: batchToPb(e.Batch)})
	}
	for i := range m.Votes {
		e := &m.Votes[i]
		pb.Votes = append(pb.Votes, &VoteEntryPb{View: uint64(e.View), Seq: uint64(e.Seq), Digest: e.Digest[:], Batch: batchToPb(e.Batch)})
	}
	return pb
}

func newViewToPb(m *pbft.NewView) *NewViewPb {
	pb := &NewViewPb{View: uint64(m.View)}
	for i := range m.ViewChanges {
		pb.ViewChanges = append(pb.ViewChanges, viewChangeToPb(&m.ViewChanges[i]))
	}
	for i := range m.PrePrepares {
		pb.PrePrepares = append(pb.PrePrepares, prePrepareToPb(&m.PrePrepares[i]))
	}
	return pb
}

func statusToPb(m *pbft.Status) *StatusPb {
	return &StatusPb{View: uint64(m.View), Stable: checkpointCertToPb(&m.Stable), Executed: uint64(m.Executed), Changing: m.Changing}
}

func fetchReplyToPb(m *pbft.FetchReply) *FetchReplyPb {
	pb := &FetchReplyPb{}
	if m.Snapshot != nil {
		pb.Snapshot = &SnapshotPb{Cert: checkpointCertToPb(&m.Snapshot.Cert), State: m.Snapshot.State}
	}
	for i := range m.Slots {
		s := &m.Slots[i]
		pb.Slots = append(pb.Slots, &CommittedSlotPb{PrePrepare: prePrepareToPb(&s.PrePrepare), Cert: certToPb(&s.Cert)})
	}
	return pb
}
