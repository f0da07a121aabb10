package wire

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// Conversions of the view-change, status and catch-up messages, which nest the simpler ones.

func viewChangeFromPb(pb *ViewChangePb) (*pbft.ViewChange, error) {
	if pb == nil {
		return nil, malformed("missing view-change")
	}
	stable, err := checkpointCertFromPb(pb.Stable)
	if err != nil {
		return nil, err
	}
	m := &pbft.ViewChange{View: pbft.View(pb.View), Replica: pbft.NodeID(pb.Replica), Stable: *stable}
	if m.Sig, err = sigFromPb(pb.Sig, "view-change signature"); err != nil {
		return nil, err
	}
	if m.Prepared, err = preparedFromPb(pb.Prepared); err != nil {
		return nil, err
	}
	if m.Votes, err = votesFromPb(pb.Votes); err != nil {
		return nil, err
	}
	return m, nil
}

func preparedFromPb(pbs []*PreparedEntryPb) ([]pbft.PreparedEntry, error) {
	if len(pbs) == 0 {
		return nil, nil
	}
	out := make([]pbft.PreparedEntry, len(pbs))
	for i, pb := range pbs {
		if pb == nil {
			return nil, malformed("prepared[%d] missing", i)
		}
		cert, err := certFromPb(pb.Cert)
		if err != nil {
			return nil, fmt.Errorf("prepared[%d]: %w", i, err)
		}
		batch, err := batchFromPb(pb.Batch)
		if err != nil {
			return nil, fmt.Errorf("prepared[%d]: %w", i, err)
		}
		out[i] = pbft.PreparedEntry{Cert: *cert, Batch: batch}
	}
	return out, nil
}

func votesFromPb(pbs []*VoteEntryPb) ([]pbft.VoteEntry, error) {
	if len(pbs) == 0 {
		return nil, nil
	}
	out := make([]pbft.VoteEntry, len(pbs))
	for i, pb := range pbs {
		if pb == nil {
			return nil, malformed("votes[%d] missing", i)
		}
		batch, err := batchFromPb(pb.Batch)
		if err != nil {
			return nil, fmt.Errorf("votes[%d]: %w", i, err)
		}
		d, err := digestFromPb(pb.Digest, fmt.Sprintf("votes[%d] digest", i))
		if err != nil {
			return nil, err
		}
		out[i] = pbft.VoteEntry{View: pbft.View(pb.View), Seq: pbft.Seq(pb.Seq), Digest: d, Batch: batch}
	}
	return out, nil
}

func newViewFromPb(pb *NewViewPb) (*pbft.NewView, error) {
	m := &pbft.NewView{View: pbft.View(pb.View)}
	if len(pb.ViewChanges) > 0 {
		m.ViewChanges = make([]pbft.ViewChange, len(pb.ViewChanges))
	}
	for i, vcPb := range pb.ViewChanges {
		vc, err := viewChangeFromPb(vcPb)
		if err != nil {
			return nil, fmt.Errorf("view_changes[%d]: %w", i, err)
		}
		m.ViewChanges[i] = *vc
	}
	if len(pb.PrePrepares) > 0 {
		m.PrePrepares = make([]pbft.PrePrepare, len(pb.PrePrepares))
	}
	for i, ppPb := range pb.PrePrepares {
		pp, err := prePrepareFromPb(ppPb)
		if err != nil {
			return nil, fmt.Errorf("pre_prepares[%d]: %w", i, err)
		}
		m.PrePrepares[i] = *pp
	}
	return m, nil
}

func statusFromPb(pb *StatusPb) (*pbft.Status, error) {
	stable, err := checkpointCertFromPb(pb.Stable)
	if err != nil {
		return nil, err
	}
	return &pbft.Status{View: pbft.View(pb.View), Stable: *stable, Executed: pbft.Seq(pb.Executed), Changing: pb.Changing}, nil
}

func fetchReplyFromPb(pb *FetchReplyPb) (*pbft.FetchReply, error) {
	m := &pbft.FetchReply{}
	if pb.Snapshot != nil {
		cert, err := checkpointCertFromPb(pb.Snapshot.Cert)
		if err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
		m.Snapshot = &pbft.Snapshot{Cert: *cert, State: bytesOrNil(pb.Snapshot.State)}
	}
	if len(pb.Slots) > 0 {
		m.Slots = make([]pbft.CommittedSlot, len(pb.Slots))
	}
	for i, s := range pb.Slots {
		if s == nil {
			return nil, malformed("slots[%d] missing", i)
		}
		pp, err := prePrepareFromPb(s.PrePrepare)
		if err != nil {
			return nil, fmt.Errorf("slots[%d]: %w", i, err)
		}
		cert, err := certFromPb(s.Cert)
		if err != nil {
			return nil, fmt.Errorf("slots[%d]: %w", i, err)
		}
		m.Slots[i] = pbft.CommittedSlot{PrePrepare: *pp, Cert: *cert}
	}
	return m, nil
}

func fetchBatchFromPb(pb *FetchBatchPb) (*pbft.FetchBatch, error) {
	d, err := digestFromPb(pb.Digest, "fetch-batch digest")
	if err != nil {
		return nil, err
	}
	return &pbft.FetchBatch{Seq: pbft.Seq(pb.Seq), Digest: d}, nil
}

func batchReplyFromPb(pb *BatchReplyPb) (*pbft.BatchReply, error) {
	d, err := digestFromPb(pb.Digest, "batch digest")
	if err != nil {
		return nil, err
	}
	batch, err := batchFromPb(pb.Batch)
	if err != nil {
		return nil, err
	}
	return &pbft.BatchReply{Seq: pbft.Seq(pb.Seq), Digest: d, Batch: batch}, nil
}
