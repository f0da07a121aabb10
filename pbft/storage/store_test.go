package storage

import (
	"errors"
	"reflect"
	"sort"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

func sampleRecords() []pbft.Record {
	batch := []pbft.Request{{Client: "A", Timestamp: 1, Op: []byte{1, 2}, Sig: []byte("sig")}}
	d := pbft.BatchDigest(batch)
	cert := &pbft.Cert{Type: pbft.CommitCert, View: 2, Seq: 7, Digest: d, Sig: []byte("cert")}
	prep := &pbft.Cert{Type: pbft.PrepareCert, View: 2, Seq: 8, Digest: d, Sig: []byte("pc")}
	return []pbft.Record{
		{Kind: pbft.RecView, View: 2, Active: true},
		{Kind: pbft.RecPrepare, View: 2, Seq: 8, Digest: d, Batch: batch},
		{Kind: pbft.RecCommit, View: 2, Seq: 8, Digest: d},
		{Kind: pbft.RecCert, View: 2, Seq: 8, Digest: d, Cert: prep},
		{Kind: pbft.RecExecuted, View: 2, Seq: 7, Digest: d, Cert: cert, Batch: batch},
	}
}

func sorted(recs []pbft.Record) []pbft.Record {
	out := append([]pbft.Record(nil), recs...)
	sort.Slice(out, func(i, j int) bool { return string(recordKey(&out[i])) < string(recordKey(&out[j])) })
	return out
}

func TestRecordsRoundTrip(t *testing.T) {
	for _, s := range []Store{NewMemory(Identity{Replica: 1}), openTestPebble(t, Identity{Replica: 1})} {
		recs := sampleRecords()
		if err := s.Append(recs); err != nil {
			t.Fatal(err)
		}
		l, err := s.Load()
		if err != nil || len(l.Cut) > 0 {
			t.Fatalf("load: %v %v", err, l.Cut)
		}
		if !reflect.DeepEqual(sorted(l.Records), sorted(recs)) {
			t.Fatalf("records differ:\n got %+v\nwant %+v", sorted(l.Records), sorted(recs))
		}
		s.Close()
	}
}

// TestStableDropsVotesAndCheckpointDropsSlots: a stable checkpoint drops the votes at or below
// it; a saved checkpoint drops the executed slots at or below it.
func TestStableDropsVotesAndCheckpointDropsSlots(t *testing.T) {
	s := NewMemory(Identity{Replica: 1})
	if err := s.Append(sampleRecords()); err != nil {
		t.Fatal(err)
	}
	stable := pbft.CheckpointCert{Seq: 8, Sig: []byte("x")}
	if err := s.Append([]pbft.Record{{Kind: pbft.RecStable, Seq: 8, Stable: &stable}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCheckpoint(pbft.Snapshot{Cert: stable, State: []byte("state")}); err != nil {
		t.Fatal(err)
	}
	l, _ := s.Load()
	kinds := map[pbft.RecordKind]int{}
	for _, r := range l.Records {
		kinds[r.Kind]++
	}
	want := map[pbft.RecordKind]int{pbft.RecView: 1, pbft.RecStable: 1}
	if !reflect.DeepEqual(kinds, want) || l.Snapshot == nil || string(l.Snapshot.State) != "state" {
		t.Fatalf("kept %v snapshot %+v, want %v and the snapshot", kinds, l.Snapshot, want)
	}
}

// TestDamagedValuesAreCutOff: a flipped byte in a record or in the snapshot is detected, the
// value dropped and reported.
func TestDamagedValuesAreCutOff(t *testing.T) {
	s := NewMemory(Identity{Replica: 1})
	recs := sampleRecords()
	if err := s.Append(recs); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCheckpoint(pbft.Snapshot{Cert: pbft.CheckpointCert{Seq: 1, Sig: []byte("x")}, State: []byte("st")}); err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte) []byte { b[len(b)-1] ^= 1; return b }
	s.Corrupt(recordKey(&recs[1]), flip)
	s.Corrupt(keySnapshot, flip)
	l, err := s.Load()
	if err != nil || len(l.Cut) != 2 || l.Snapshot != nil || len(l.Records) != len(recs)-1 {
		t.Fatalf("err %v cut %q snapshot %v records %d", err, l.Cut, l.Snapshot, len(l.Records))
	}
	if l, _ = s.Load(); len(l.Cut) != 0 {
		t.Fatalf("the damaged values were not dropped: %q", l.Cut)
	}
}

// TestOtherReplicaRefused: a data directory of another replica or cluster is refused.
func TestOtherReplicaRefused(t *testing.T) {
	dir := t.TempDir()
	id := Identity{Replica: 2, Cluster: ClusterHash([]byte("keys"))}
	p, fresh, err := OpenPebble(dir, id)
	if err != nil || !fresh {
		t.Fatalf("open: %v fresh=%v", err, fresh)
	}
	p.Close()
	for _, other := range []Identity{{Replica: 3, Cluster: id.Cluster}, {Replica: 2, Cluster: ClusterHash([]byte("other"))}} {
		if _, _, err := OpenPebble(dir, other); !errors.Is(err, ErrOtherReplica) {
			t.Fatalf("%+v opened a data dir of %+v: %v", other, id, err)
		}
	}
	p, fresh, err = OpenPebble(dir, id)
	if err != nil || fresh {
		t.Fatalf("reopen: %v fresh=%v", err, fresh)
	}
	p.Close()
}

func openTestPebble(t testing.TB, id Identity) *Pebble {
	p, _, err := OpenPebble(t.TempDir(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
