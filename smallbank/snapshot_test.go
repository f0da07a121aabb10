package smallbank

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// busyBank is the scenario bank after some random operations, with overdrafts and savings.
func busyBank(t testing.TB) *Bank {
	t.Helper()
	bank := scenarioBank(t)
	rng := rand.New(rand.NewPCG(11, 12))
	for range 300 {
		bank.Apply(randomOp(rng))
	}
	return bank
}

func TestSnapshotRoundTrip(t *testing.T) {
	bank := busyBank(t)
	snap := bank.Snapshot()
	restored := NewBank()
	must(t, restored.Open("Stale", 1, 1)) // Restore replaces everything
	must(t, restored.Restore(snap))
	if restored.Digest() != bank.Digest() || restored.Digest() != recomputed(restored) {
		t.Fatal("restored digest differs")
	}
	if !slices.Equal(restored.Accounts(), bank.Accounts()) || restored.Total() != bank.Total() {
		t.Fatal("restored accounts or total differ")
	}
	for _, n := range bank.Accounts() {
		if balOf(restored, n) != balOf(bank, n) {
			t.Fatalf("account %s: %v, want %v", n, balOf(restored, n), balOf(bank, n))
		}
	}
	if !bytes.Equal(restored.Snapshot(), snap) {
		t.Fatal("snapshot of the restored bank differs")
	}
	// Both must keep agreeing: the restored digest state is fully usable.
	rng1, rng2 := rand.New(rand.NewPCG(1, 1)), rand.New(rand.NewPCG(1, 1))
	for range 200 {
		bank.Apply(randomOp(rng1))
		restored.Apply(randomOp(rng2))
	}
	if restored.Digest() != bank.Digest() {
		t.Fatal("digests diverged after the restore")
	}
}

func TestSnapshotIsCanonical(t *testing.T) {
	a, b := NewBank(), NewBank()
	must(t, a.Open("X", 1, 2))
	must(t, a.Open("Y", 3, 4))
	must(t, b.Open("Y", 3, 4))
	must(t, b.Open("X", 1, 2))
	if !bytes.Equal(a.Snapshot(), b.Snapshot()) {
		t.Fatal("equal states gave different snapshots")
	}
	empty := NewBank()
	must(t, empty.Restore(NewBank().Snapshot()))
	if empty.Len() != 0 || empty.Digest() != NewBank().Digest() {
		t.Fatal("empty snapshot did not restore an empty bank")
	}
}

// resealed rebuilds a snapshot body with a valid checksum, to test the checks behind it.
func resealed(body []byte) []byte {
	sum := sha256.Sum256(body)
	return append(slices.Clip(body), sum[:]...)
}

// snapshotBody encodes accounts as given (name, checking, savings, ...), in the given order,
// each owned by the client of its name, and no tellers.
func snapshotBody(count uint64, entries ...any) []byte {
	b := binary.AppendUvarint([]byte(snapshotMagic), count)
	for k, e := range entries {
		switch v := e.(type) {
		case string:
			b = appendName(b, v)
		case int:
			b = binary.AppendVarint(b, int64(v))
		case int64:
			b = binary.AppendVarint(b, v)
		}
		if k%3 == 2 {
			b = append(b, 0, 0) // version 0, and the owner: the account's own client
		}
	}
	return append(b, 0) // no tellers
}

func TestRestoreRejectsCorruption(t *testing.T) {
	bank := busyBank(t)
	good := bank.Snapshot()
	digest, snap := bank.Digest(), bank.Snapshot()
	var bad [][]byte
	for i := range good { // every single-byte flip
		c := bytes.Clone(good)
		c[i] ^= 0x40
		bad = append(bad, c)
	}
	for n := 0; n < len(good); n += 7 { // truncations
		bad = append(bad, good[:n])
	}
	bad = append(bad,
		resealed(append([]byte("smallbank/snapshot/v1\x00"), good[len(snapshotMagic):len(good)-32]...)),
		resealed(append(bytes.Clone(good[:len(good)-32]), 0)),
		resealed(snapshotBody(2, "B", 1, 0, "A", 1, 0)),
		resealed(snapshotBody(2, "A", 1, 0, "A", 1, 0)),
		resealed(snapshotBody(1, "A", 1, -1)),
		resealed(snapshotBody(1, "A b", 1, 0)),
		resealed(snapshotBody(2, "A", int64(1<<62), 0, "B", int64(1<<62), 0)),
		resealed(snapshotBody(1, "A", int64(1<<62), int64(1<<62))),
		resealed(snapshotBody(1, "A", int64(MaxBalance+1), 0)),
		resealed(snapshotBody(1, "A", 1, int64(MaxBalance))),
		resealed(snapshotBody(1000, "A", 1, 0)),
		resealed(snapshotBody(1<<62, "A", 1, 0)),
		resealed(snapshotBody(2, "A", 1, 0)),
	)
	must(t, NewBank().Restore(resealed(snapshotBody(2, "A", 1, 0, "B", int64(MaxBalance), 0))))
	for k, s := range bad {
		if err := bank.Restore(s); err == nil {
			t.Fatalf("corrupted snapshot %d accepted", k)
		}
	}
	if bank.Digest() != digest || !bytes.Equal(bank.Snapshot(), snap) {
		t.Fatal("a rejected snapshot changed the state")
	}
}

func TestRestoreVerified(t *testing.T) {
	src := busyBank(t)
	bank := scenarioBank(t)
	before := bank.Digest()
	err := bank.RestoreVerified(src.Snapshot(), before)
	if err == nil || !strings.Contains(err.Error(), "snapshot digest") {
		t.Fatalf("mismatching digest: %v", err)
	}
	if bank.Digest() != before {
		t.Fatal("a rejected snapshot changed the state")
	}
	must(t, bank.RestoreVerified(src.Snapshot(), src.Digest()))
	if bank.Digest() != src.Digest() {
		t.Fatal("verified restore did not take the snapshot")
	}
}

func TestFreezeEncodesTheStateAtFreezeTime(t *testing.T) {
	b := NewBank()
	if err := b.LoadAccounts(100, 10, 50, 3); err != nil {
		t.Fatal(err)
	}
	want := b.Snapshot()
	frozen := b.Freeze()
	op, err := EncodeOp(Op{Kind: OpDepositChecking, Account: "7", Amount: 5})
	if err != nil {
		t.Fatal(err)
	}
	b.Execute("7", op)
	if err := b.Open("new", 1, 1); err != nil {
		t.Fatal(err)
	}
	if got := frozen(); !bytes.Equal(got, want) {
		t.Fatal("frozen state changed with later operations")
	}
	if bytes.Equal(b.Snapshot(), want) {
		t.Fatal("the bank did not change")
	}
}
