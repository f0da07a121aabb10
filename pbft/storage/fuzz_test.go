package storage

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// damagedStoreFixture is a store holding one of everything a replica writes: votes, a
// certificate, an executed slot (ledger entry and its batch), a stable checkpoint and a saved
// snapshot.
func damagedStoreFixture(t testing.TB) *Memory {
	m := NewMemory(Identity{Replica: 1})
	stable := pbft.CheckpointCert{Seq: 7, State: pbft.Digest{7}, Sig: []byte("cc")}
	if err := m.Append(sampleRecords()); err != nil {
		t.Fatal(err)
	}
	if err := m.Append([]pbft.Record{{Kind: pbft.RecStable, Seq: 7, Stable: &stable}}); err != nil {
		t.Fatal(err)
	}
	if err := m.SaveCheckpoint(pbft.Snapshot{Cert: stable, State: []byte("state")}); err != nil {
		t.Fatal(err)
	}
	return m
}

// FuzzDamagedStore replaces one stored value with arbitrary bytes, with a valid checksum or
// without, and reopens the store as a restarted replica and as `pbft ledger verify` read it.
// The data directory is not trusted input for an auditor (docs/protocol.md, "Durability"):
// whatever a value holds, loading reports it (an error, a record cut off, an unreadable
// ledger entry) and never panics. The seeds, each stored value unchanged, run in every
// `go test`; `go test -fuzz FuzzDamagedStore ./pbft/storage` explores from them.
func FuzzDamagedStore(f *testing.F) {
	fixture := damagedStoreFixture(f)
	for i, k := range fixture.Keys() {
		v, _, _ := fixture.mem.get(k)
		body, err := open(v)
		if err != nil {
			body = v // the identity record has no checksum
		}
		f.Add(uint8(i), body, err == nil)
	}
	f.Fuzz(func(t *testing.T, pick uint8, body []byte, reseal bool) {
		m := damagedStoreFixture(t)
		keys := m.Keys()
		key := keys[int(pick)%len(keys)]
		m.Corrupt(key, func([]byte) []byte {
			if reseal {
				return seal(body)
			}
			return append([]byte(nil), body...)
		})
		reopened, err := m.Reopen(Identity{Replica: 1})
		if err != nil {
			return // the identity record was damaged: refused, as it must be
		}
		if _, err := reopened.Load(); err != nil {
			t.Logf("load: %v", err)
		}
		entries := 0
		_ = reopened.Ledger(func(LedgerEntry, error) bool { entries++; return true })
		if entries > len(keys) {
			t.Fatalf("%d ledger entries from %d keys", entries, len(keys))
		}
		if _, err := reopened.Checkpoints(); err != nil {
			t.Fatalf("checkpoints: %v", err)
		}
	})
}
