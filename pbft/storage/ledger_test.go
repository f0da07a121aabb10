package storage

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

func executed(s pbft.Seq) pbft.Record {
	batch := []pbft.Request{{Client: "A", Timestamp: uint64(s), Op: []byte{byte(s)}, Sig: []byte("sig")}}
	cert := &pbft.Cert{Type: pbft.CommitCert, View: 1, Seq: s, Digest: pbft.BatchDigest(batch), Sig: []byte("cert")}
	return pbft.Record{Kind: pbft.RecExecuted, Seq: s, Digest: cert.Digest, Cert: cert, Batch: batch}
}

// The ledger chains every executed slot to the one before, survives the checkpoint that drops
// the executed records a restart replays, resumes with a zero link after a gap, and keeps the
// stable checkpoint certificates.
func TestLedgerChainsExecutedSlots(t *testing.T) {
	s := NewMemory(Identity{Replica: 1})
	stable := pbft.CheckpointCert{Seq: 2, State: pbft.Digest{9}, Sig: []byte("ckpt")}
	batches := [][]pbft.Record{
		{executed(1)},
		{executed(2), {Kind: pbft.RecStable, Seq: 2, Stable: &stable}},
		{executed(5)}, // slots 3-4 came with a snapshot (catch-up)
		{executed(6)},
	}
	for _, b := range batches {
		if err := s.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveCheckpoint(pbft.Snapshot{Cert: stable, State: []byte("state")}); err != nil {
		t.Fatal(err)
	}
	var got []LedgerEntry
	if err := s.Ledger(func(e LedgerEntry, err error) bool {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[0].Seq != 1 || got[3].Seq != 6 {
		t.Fatalf("ledger holds %d entries (%v), want slots 1, 2, 5, 6", len(got), got)
	}
	zero := [32]byte{}
	if got[0].Prev != zero || got[1].Prev != got[0].Hash || got[2].Prev != zero || got[3].Prev != got[2].Hash {
		t.Fatal("the links do not follow the slots (a gap must start a zero link)")
	}
	ckpts, err := s.Checkpoints()
	if err != nil || ckpts[2].State != stable.State {
		t.Fatalf("checkpoint certificates %v (%v), want slot 2's", ckpts, err)
	}
	// The tip survives a restart: the next entry links to slot 6.
	re, err := s.Reopen(Identity{Replica: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := re.Append([]pbft.Record{executed(7)}); err != nil {
		t.Fatal(err)
	}
	var last LedgerEntry
	re.Ledger(func(e LedgerEntry, _ error) bool { last = e; return true })
	if last.Seq != 7 || last.Prev != got[3].Hash {
		t.Fatalf("after a restart, slot %d links to %x, want slot 6's hash", last.Seq, last.Prev[:4])
	}
}
