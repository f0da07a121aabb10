// Package storage keeps a replica's durable state (docs/protocol.md, "Durability"): the
// records the core lists in pbft.Ready.Persist and the state at a stable checkpoint. Store is
// the seam: Pebble is the real one (github.com/cockroachdb/pebble/v2, chosen by measurement,
// see BenchmarkSyncedAppends), Memory the in-memory fake beside it. Both keep the same keys
// and the same encoded values, each value checked by a CRC-32C.
package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// Store is a replica's durable storage. It is safe for concurrent use: the node appends from
// one writer goroutine and saves checkpoints from another.
type Store interface {
	// Append makes records durable in one synced write, atomically: after a crash either all
	// of them are there or none. A RecStable record also drops the votes and certificates at
	// or below its slot, which no VIEW-CHANGE reports any more.
	Append(recs []pbft.Record) error
	// AppendUnsynced writes records as Append does, atomically and after every earlier
	// write, but does not wait for the disk: they become durable with the next Append or Sync
	// (the write-ahead log is sequential), or are lost, all together, in a crash before it.
	AppendUnsynced(recs []pbft.Record) error
	// Sync makes every earlier write durable.
	Sync() error
	// SaveCheckpoint makes the state at a stable checkpoint durable; a restart replays only
	// the executed slots after it (from the ledger, which keeps every executed slot).
	SaveCheckpoint(sn pbft.Snapshot) error
	// Load returns what is durable. Values that fail their checksum are cut off (and the
	// executed slots after a damaged one), and reported in Loaded.Cut.
	Load() (Loaded, error)
	// Close releases the store.
	Close() error
}

// Loaded is what Load found.
type Loaded struct {
	pbft.Recovered
	Cut []string // what was damaged and dropped, one line each
}

// Identity names the replica and the cluster a data directory belongs to: a node refuses the
// directory of another replica or of another cluster (other keys).
type Identity struct {
	Replica pbft.NodeID
	Cluster [32]byte // ClusterHash of the cluster's public keys
}

// ClusterHash hashes the cluster's public keys (any canonical encoding the caller chooses).
func ClusterHash(publicKeys []byte) [32]byte {
	return sha256.Sum256(append([]byte("pbft/cluster/v1\x00"), publicKeys...))
}

// ErrOtherReplica is returned when a data directory belongs to another replica or cluster.
var ErrOtherReplica = errors.New("storage: the data directory belongs to another replica or cluster")

func (id Identity) encode() []byte {
	b := binary.BigEndian.AppendUint32([]byte("pbft/datadir/v1\x00"), uint32(id.Replica))
	return append(b, id.Cluster[:]...)
}

// check compares the identity stored in a data directory with the expected one.
func (id Identity) check(stored []byte) error {
	want := id.encode()
	if string(stored) == string(want) {
		return nil
	}
	if len(stored) != len(want) {
		return fmt.Errorf("%w: unreadable identity record", ErrOtherReplica)
	}
	got := binary.BigEndian.Uint32(stored[len(want)-36:])
	return fmt.Errorf("%w: it was written by replica n%d of cluster %x, this is replica %s of cluster %x",
		ErrOtherReplica, got, stored[len(want)-32:len(want)-28], id.Replica, id.Cluster[:4])
}
