package storage

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

func testBatch(tag string, n int) []pbft.Request {
	b := make([]pbft.Request, n)
	for i := range b {
		b[i] = pbft.Request{Client: pbft.ClientID(fmt.Sprint(tag, i)), Timestamp: 1, Op: []byte(tag), Sig: []byte("sig-" + tag)}
	}
	return b
}

// batchKeys lists the stored batches as "slot/first request's client".
func batchKeys(t *testing.T, m *Memory) []string {
	t.Helper()
	var out []string
	for _, k := range m.Keys() {
		if k[0] != 'b' {
			continue
		}
		rec := pbft.Record{Kind: pbft.RecPrepare, Seq: pbft.Seq(binary.BigEndian.Uint64(k[1:9])), Digest: pbft.Digest(k[9:])}
		if err := m.withBatch(&rec); err != nil {
			t.Fatalf("stored batch %x: %v", k, err)
		}
		out = append(out, fmt.Sprintf("%d/%s", rec.Seq, rec.Batch[0].Client))
	}
	return out
}

func prepareRec(v pbft.View, s pbft.Seq, batch []pbft.Request) pbft.Record {
	return pbft.Record{Kind: pbft.RecPrepare, View: v, Seq: s, Digest: pbft.BatchDigest(batch), Batch: batch}
}

func executedRec(s pbft.Seq, batch []pbft.Request) pbft.Record {
	d := pbft.BatchDigest(batch)
	return pbft.Record{Kind: pbft.RecExecuted, Seq: s, Digest: d, Batch: batch,
		Cert: &pbft.Cert{Type: pbft.CommitCert, View: 1, Seq: s, Digest: d, Sig: []byte("cert")}}
}

func stableRec(s pbft.Seq) pbft.Record {
	return pbft.Record{Kind: pbft.RecStable, Seq: s, Stable: &pbft.CheckpointCert{Seq: s, Sig: []byte("ck")}}
}

// TestBatchKeptOnce: a vote and the ledger entry of the slot it executed hold one stored batch
// between them, and both read back with it, from the fake and from Pebble.
func TestBatchKeptOnce(t *testing.T) {
	b := testBatch("x", 3)
	for _, s := range []Store{NewMemory(Identity{Replica: 1}), openTestPebble(t, Identity{Replica: 1})} {
		writes := [][]pbft.Record{{prepareRec(1, 1, b)}, {executedRec(1, b)}}
		for _, w := range writes {
			if err := s.Append(w); err != nil {
				t.Fatal(err)
			}
		}
		if m, ok := s.(*Memory); ok {
			if got := batchKeys(t, m); !reflect.DeepEqual(got, []string{"1/x0"}) {
				t.Fatalf("stored batches %v, want one", got)
			}
		}
		l, err := s.Load()
		if err != nil || len(l.Cut) > 0 {
			t.Fatalf("load: %v %q", err, l.Cut)
		}
		want := sorted([]pbft.Record{writes[0][0], writes[1][0]})
		if !reflect.DeepEqual(sorted(l.Records), want) {
			t.Fatalf("records differ:\n got %+v\nwant %+v", sorted(l.Records), want)
		}
		s.Close()
	}
}

// TestStableCollectsUnexecutedBatches: a stable checkpoint deletes the batches of the slots at
// or below it that did not execute here (a vote of a view that changed, a slot installed
// through catch-up) and keeps the executed ones, which the ledger names; after a restart it
// collects only what came after the last stable checkpoint.
func TestStableCollectsUnexecutedBatches(t *testing.T) {
	m := NewMemory(Identity{Replica: 1})
	old, won, skipped := testBatch("old", 1), testBatch("won", 1), testBatch("skip", 1)
	for _, w := range [][]pbft.Record{
		{prepareRec(1, 3, old)},
		{prepareRec(2, 3, won)},
		{executedRec(3, won), prepareRec(2, 4, skipped)},
		{stableRec(4)},
	} {
		if err := m.Append(w); err != nil {
			t.Fatal(err)
		}
	}
	if got := batchKeys(t, m); !reflect.DeepEqual(got, []string{"3/won0"}) {
		t.Fatalf("after the checkpoint: %v, want only the executed batch", got)
	}
	m, err := m.Reopen(Identity{Replica: 1})
	if err != nil {
		t.Fatal(err)
	}
	later := testBatch("later", 1)
	for _, w := range [][]pbft.Record{{prepareRec(2, 5, later)}, {stableRec(5)}} {
		if err := m.Append(w); err != nil {
			t.Fatal(err)
		}
	}
	if got := batchKeys(t, m); !reflect.DeepEqual(got, []string{"3/won0"}) {
		t.Fatalf("after the restart and the next checkpoint: %v", got)
	}
	if floor, _ := m.gcFloor(); floor != 5 {
		t.Fatalf("collected up to %d, want 5", floor)
	}
}

// TestMissingBatchIsReported: a vote whose batch is gone is cut off, and the ledger entry
// whose batch is gone stops the replay at its slot and is reported by Ledger.
func TestMissingBatchIsReported(t *testing.T) {
	m := NewMemory(Identity{Replica: 1})
	voted, executed := testBatch("v", 2), testBatch("e", 2)
	if err := m.Append([]pbft.Record{prepareRec(1, 2, voted), executedRec(1, executed)}); err != nil {
		t.Fatal(err)
	}
	gone := []op{{key: batchKey(2, pbft.BatchDigest(voted))}, {key: batchKey(1, pbft.BatchDigest(executed))}}
	if err := m.mem.apply(gone, true); err != nil {
		t.Fatal(err)
	}
	l, err := m.Load()
	if err != nil || len(l.Cut) != 2 || len(l.Records) != 0 {
		t.Fatalf("err %v cut %q records %+v", err, l.Cut, l.Records)
	}
	var entryErr error
	if err := m.Ledger(func(_ LedgerEntry, err error) bool { entryErr = err; return true }); err != nil {
		t.Fatal(err)
	}
	if entryErr == nil || !strings.Contains(entryErr.Error(), "slot 1") || !strings.Contains(entryErr.Error(), "missing") {
		t.Fatalf("ledger entry error %v", entryErr)
	}
}

// TestInlineBatchStillLoads: a vote written with its batch inline (the format before batches
// were kept apart) loads with it.
func TestInlineBatchStillLoads(t *testing.T) {
	m := NewMemory(Identity{Replica: 1})
	rec := prepareRec(1, 1, testBatch("in", 2))
	v, err := encodeRecord(&rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.mem.apply([]op{{key: recordKey(&rec), value: v}}, true); err != nil {
		t.Fatal(err)
	}
	l, err := m.Load()
	if err != nil || len(l.Cut) > 0 || len(l.Records) != 1 || !reflect.DeepEqual(l.Records[0], rec) {
		t.Fatalf("err %v cut %q records %+v", err, l.Cut, l.Records)
	}
}
