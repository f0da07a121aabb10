package smallbank

import (
	"bytes"
	"testing"
)

// TestStageRestoreLeavesBankUntilCommit: a staged snapshot has the digest of the state it
// encodes and changes the bank only on commit; a bad snapshot is an error and changes nothing.
func TestStageRestoreLeavesBankUntilCommit(t *testing.T) {
	src := busyBank(t)
	snap := src.Snapshot()
	bank := scenarioBank(t)
	before, beforeSnap := bank.Digest(), bank.Snapshot()
	got, commit, err := bank.StageRestore(snap)
	if err != nil {
		t.Fatal(err)
	}
	if got != src.Digest() {
		t.Fatalf("staged digest %v, want %v", got, src.Digest())
	}
	if bank.Digest() != before || !bytes.Equal(bank.Snapshot(), beforeSnap) {
		t.Fatal("staging changed the bank")
	}
	commit()
	if bank.Digest() != src.Digest() || !bytes.Equal(bank.Snapshot(), snap) || bank.Digest() != recomputed(bank) {
		t.Fatal("commit did not install the staged state")
	}
	corrupt := bytes.Clone(snap)
	corrupt[len(snapshotMagic)+3] ^= 1
	for _, bad := range [][]byte{nil, []byte("garbage"), corrupt, resealed(snapshotBody(2, "B", 1, 0, "A", 1, 0))} {
		if _, commit, err := bank.StageRestore(bad); err == nil || commit != nil {
			t.Fatalf("bad snapshot %q staged", bad)
		}
	}
	if bank.Digest() != src.Digest() {
		t.Fatal("a bad snapshot changed the bank")
	}
}
