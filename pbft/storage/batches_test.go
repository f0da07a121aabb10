package storage

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"sort"
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

// batchLabel names a batch of slot s by its slot and first request's client, and its digest.
func batchLabel(s pbft.Seq, b []pbft.Request) string {
	d := pbft.BatchDigest(b)
	return fmt.Sprintf("%d/%s/%x", s, b[0].Client, d[:4])
}

// batchKeys lists the stored batches (batchLabel), in key order.
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
		out = append(out, batchLabel(rec.Seq, rec.Batch))
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
			if got := batchKeys(t, m); !reflect.DeepEqual(got, []string{batchLabel(1, b)}) {
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
	if got := batchKeys(t, m); !reflect.DeepEqual(got, []string{batchLabel(3, won)}) {
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
	if got := batchKeys(t, m); !reflect.DeepEqual(got, []string{batchLabel(3, won)}) {
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

// TestBatchStoreRandomized drives a store with random runs (votes in several views, executed
// slots with or without a vote, slots skipped as catch-up does, stable checkpoints, restarts)
// against a model: after every write the stored batches are exactly those of the unexecuted
// votes above the last stable checkpoint and of every executed slot, and every vote and ledger
// entry reads back with its batch. A failure prints its seed.
func TestBatchStoreRandomized(t *testing.T) {
	for seed := int64(1); seed <= 60; seed++ {
		if !batchStoreRun(t, seed) {
			t.Fatalf("seed %d failed", seed)
		}
	}
}

// batchModel is what the store must hold.
type batchModel struct {
	votes    map[pbft.Seq]map[pbft.View][]pbft.Request // above stable
	executed map[pbft.Seq][]pbft.Request               // every slot executed here
	last     pbft.Seq                                  // the last slot executed or skipped
	stable   pbft.Seq
}

func (md *batchModel) wantKeys() []string {
	var out []string
	for s, b := range md.executed {
		out = append(out, batchLabel(s, b))
	}
	for s, byView := range md.votes {
		for _, b := range byView {
			if e, ok := md.executed[s]; !ok || pbft.BatchDigest(e) != pbft.BatchDigest(b) {
				out = append(out, batchLabel(s, b))
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func batchStoreRun(t *testing.T, seed int64) bool {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	m := NewMemory(Identity{Replica: 1})
	md := &batchModel{votes: map[pbft.Seq]map[pbft.View][]pbft.Request{}, executed: map[pbft.Seq][]pbft.Request{}}
	batch := func() []pbft.Request { return testBatch(fmt.Sprintf("r%d-", rng.Intn(1000)), 1+rng.Intn(3)) }
	var pending []pbft.Record // written together, as the node's group commit does
	for step := 0; step < 80; step++ {
		switch op := rng.Intn(10); {
		case op < 4: // a vote in some view for a slot above the checkpoint
			s, v := md.last+1+pbft.Seq(rng.Intn(3)), pbft.View(1+rng.Intn(3))
			if md.votes[s] == nil {
				md.votes[s] = map[pbft.View][]pbft.Request{}
			}
			if _, dup := md.votes[s][v]; dup {
				continue
			}
			b := batch()
			md.votes[s][v] = b
			pending = append(pending, prepareRec(v, s, b))
		case op < 7: // the next slot executes: a voted batch, or one this replica never voted
			s := md.last + 1
			b := batch()
			for _, voted := range md.votes[s] {
				if rng.Intn(2) == 0 {
					b = voted
				}
			}
			md.executed[s], md.last = b, s
			pending = append(pending, executedRec(s, b))
		case op < 8: // catch-up: a snapshot over slots never executed here
			md.last += pbft.Seq(1 + rng.Intn(3))
			md.stable = md.last
			pending = append(pending, stableRec(md.last))
		case op < 9 && md.last > md.stable:
			md.stable = md.last
			pending = append(pending, stableRec(md.last))
		default:
			if !flushBatches(t, m, &pending, md, seed, step) {
				return false
			}
			var err error
			if m, err = m.Reopen(Identity{Replica: 1}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if rng.Intn(2) == 0 && !flushBatches(t, m, &pending, md, seed, step) {
			return false
		}
	}
	if !flushBatches(t, m, &pending, md, seed, 80) {
		return false
	}
	return checkLoaded(t, m, md, seed)
}

// flushBatches writes the pending records as one write and compares the stored batches with
// the model.
func flushBatches(t *testing.T, m *Memory, pending *[]pbft.Record, md *batchModel, seed int64, step int) bool {
	t.Helper()
	if len(*pending) == 0 {
		return true
	}
	if err := m.Append(*pending); err != nil {
		t.Fatal(err)
	}
	*pending = nil
	for s := range md.votes {
		if s <= md.stable {
			delete(md.votes, s)
		}
	}
	got := batchKeys(t, m)
	sort.Strings(got)
	if want := md.wantKeys(); !slices.Equal(got, want) {
		t.Logf("seed %d step %d: stored %v, want %v", seed, step, got, want)
		return false
	}
	return true
}

// checkLoaded compares what Load and Ledger return with the model.
func checkLoaded(t *testing.T, m *Memory, md *batchModel, seed int64) bool {
	t.Helper()
	l, err := m.Load()
	if err != nil || len(l.Cut) > 0 {
		t.Logf("seed %d: load: %v %q", seed, err, l.Cut)
		return false
	}
	votes := 0
	for _, r := range l.Records {
		if r.Kind != pbft.RecPrepare {
			continue
		}
		votes++
		if want := md.votes[r.Seq][r.View]; !reflect.DeepEqual(r.Batch, want) {
			t.Logf("seed %d: vote s=%d v=%d read back %v, want %v", seed, r.Seq, r.View, r.Batch, want)
			return false
		}
	}
	entries := 0
	err = m.Ledger(func(e LedgerEntry, err error) bool {
		entries++
		if err != nil || !reflect.DeepEqual(e.Batch, md.executed[e.Seq]) {
			t.Logf("seed %d: ledger entry s=%d: %v", seed, e.Seq, err)
			entries = -1 << 20
		}
		return true
	})
	want := 0
	for _, byView := range md.votes {
		want += len(byView)
	}
	if err != nil || votes != want || entries != len(md.executed) {
		t.Logf("seed %d: %d votes (want %d), %d ledger entries (want %d), %v", seed, votes, want, entries, len(md.executed), err)
		return false
	}
	return true
}
