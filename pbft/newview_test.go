package pbft

import "testing"

func batchOf(client string) []Request {
	return []Request{{Client: ClientID(client), Timestamp: 1, Op: []byte(client)}}
}

func prepared(kind CertKind, v View, s Seq, b []Request) PreparedEntry {
	return PreparedEntry{Cert: Cert{Type: kind, View: v, Seq: s, Digest: BatchDigest(b)}, Batch: b}
}

func vote(v View, s Seq, b []Request) VoteEntry {
	return VoteEntry{View: v, Seq: s, Digest: BatchDigest(b), Batch: b}
}

func vcFrom(id NodeID, p []PreparedEntry, votes []VoteEntry) ViewChange {
	return ViewChange{View: 5, Replica: id, Prepared: p, Votes: votes}
}

func TestComputeOSelectionRule(t *testing.T) {
	x, y := batchOf("X"), batchOf("Y")
	cases := []struct {
		name string
		vcs  []ViewChange
		want []Request // value of slot 1
	}{
		{"nothing: no-op", []ViewChange{vcFrom(1, nil, nil), vcFrom(2, nil, nil), vcFrom(3, nil, nil)}, nil},
		{"highest prepare cert", []ViewChange{
			vcFrom(1, []PreparedEntry{prepared(PrepareCert, 2, 1, x)}, nil),
			vcFrom(2, []PreparedEntry{prepared(PrepareCert, 3, 1, y)}, nil),
			vcFrom(3, nil, nil)}, y},
		{"full-commit proof beats any prepare cert", []ViewChange{
			vcFrom(1, []PreparedEntry{prepared(FullCommitProof, 1, 1, x)}, nil),
			vcFrom(2, []PreparedEntry{prepared(PrepareCert, 3, 1, y)}, nil),
			vcFrom(3, nil, nil)}, x},
		{"f+1 fast votes above the highest prepare cert", []ViewChange{
			vcFrom(1, []PreparedEntry{prepared(PrepareCert, 2, 1, y)}, []VoteEntry{vote(3, 1, x)}),
			vcFrom(2, nil, []VoteEntry{vote(3, 1, x)}),
			vcFrom(3, nil, []VoteEntry{vote(3, 1, x)})}, x},
		{"fast votes below the prepare cert lose", []ViewChange{
			vcFrom(1, []PreparedEntry{prepared(PrepareCert, 4, 1, y)}, []VoteEntry{vote(3, 1, x)}),
			vcFrom(2, nil, []VoteEntry{vote(3, 1, x)}),
			vcFrom(3, nil, []VoteEntry{vote(3, 1, x)})}, y},
		{"f votes are not enough", []ViewChange{
			vcFrom(1, nil, []VoteEntry{vote(3, 1, x)}),
			vcFrom(2, nil, []VoteEntry{vote(3, 1, x)}),
			vcFrom(3, nil, []VoteEntry{vote(3, 1, y)})}, nil},
		// S2: a fast-path commit of X in view 1 whose honest votes moved up to view 2 (a
		// NEW-VIEW re-proposed X to some) still has f+1 votes in views >= 1.
		{"votes re-cast in later views count from w upwards", []ViewChange{
			vcFrom(1, nil, []VoteEntry{vote(2, 1, x)}),
			vcFrom(2, nil, []VoteEntry{vote(2, 1, x)}),
			vcFrom(3, nil, []VoteEntry{vote(1, 1, x)})}, x},
		{"the highest w wins across values", []ViewChange{
			vcFrom(1, nil, []VoteEntry{vote(4, 1, y)}),
			vcFrom(2, nil, []VoteEntry{vote(3, 1, y)}),
			vcFrom(3, nil, []VoteEntry{vote(2, 1, y)}),
			vcFrom(4, nil, []VoteEntry{vote(1, 1, x)}),
			vcFrom(5, nil, []VoteEntry{vote(1, 1, x)})}, y},
		{"a message counts once per slot", []ViewChange{
			vcFrom(1, nil, []VoteEntry{vote(3, 1, x), vote(3, 1, x), vote(3, 1, x)}),
			vcFrom(2, nil, nil), vcFrom(3, nil, nil)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Slot 2 gets a certificate so that slot 1 is inside (min-s, max-s].
			c.vcs[0].Prepared = append(c.vcs[0].Prepared, prepared(PrepareCert, 1, 2, batchOf("Z")))
			_, maxS, o := computeO(5, c.vcs, 2)
			if maxS != 2 || len(o) != 2 {
				t.Fatalf("max-s %d, %d pre-prepares; want 2 and 2", maxS, len(o))
			}
			if o[0].Digest != BatchDigest(c.want) || o[0].View != 5 || o[0].Seq != 1 {
				t.Fatalf("slot 1: got %v (view %d), want digest %v", o[0].Digest, o[0].View, BatchDigest(c.want))
			}
			// The same O whatever the order of V.
			rev := append([]ViewChange(nil), c.vcs...)
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			_, _, o2 := computeO(5, rev, 2)
			if o2[0].Digest != o[0].Digest || o2[1].Digest != o[1].Digest {
				t.Fatal("O depends on the order of the VIEW-CHANGE messages")
			}
		})
	}
}

func TestComputeOStartsAtHighestStableCheckpoint(t *testing.T) {
	vcs := []ViewChange{
		{View: 5, Replica: 1, Stable: CheckpointCert{Seq: 10}, Prepared: []PreparedEntry{prepared(PrepareCert, 4, 12, batchOf("A"))}},
		{View: 5, Replica: 2, Stable: CheckpointCert{Seq: 0}, Prepared: []PreparedEntry{prepared(PrepareCert, 4, 3, batchOf("B"))}},
		{View: 5, Replica: 3, Stable: CheckpointCert{Seq: 10}},
	}
	stable, maxS, o := computeO(5, vcs, 2)
	if stable.Seq != 10 || maxS != 12 || len(o) != 2 || o[0].Seq != 11 || len(o[0].Batch) != 0 || o[1].Digest != BatchDigest(batchOf("A")) {
		t.Fatalf("stable %d max-s %d O %+v", stable.Seq, maxS, o)
	}
}
