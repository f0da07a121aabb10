package storage

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	bolt "go.etcd.io/bbolt"
)

// BenchmarkSyncedAppends measures the write pattern of a replica (docs/protocol.md,
// "Durability"): small records, every write synced, from one writer (serial) or from several
// at once (grouped by the engine: pebble's commit pipeline, bbolt's db.Batch). The engine was
// chosen by these numbers; see docs/benchmarks.md, "Durability".
func BenchmarkSyncedAppends(b *testing.B) {
	for _, size := range []int{256, 16 << 10} {
		for _, writers := range []int{1, 8} {
			b.Run(fmt.Sprintf("pebble/%dB/writers=%d", size, writers), func(b *testing.B) {
				db, err := pebble.Open(b.TempDir(), &pebble.Options{Logger: quietLogger{}})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				run(b, writers, size, func(k, v []byte) error { return db.Set(k, v, pebble.Sync) })
			})
			b.Run(fmt.Sprintf("bbolt/%dB/writers=%d", size, writers), func(b *testing.B) {
				db, err := bolt.Open(filepath.Join(b.TempDir(), "db"), 0o600, nil)
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				put := func(tx *bolt.Tx, k, v []byte) error {
					bk, err := tx.CreateBucketIfNotExists([]byte("r"))
					if err != nil {
						return err
					}
					return bk.Put(k, v)
				}
				if writers == 1 {
					run(b, writers, size, func(k, v []byte) error {
						return db.Update(func(tx *bolt.Tx) error { return put(tx, k, v) })
					})
					return
				}
				run(b, writers, size, func(k, v []byte) error {
					return db.Batch(func(tx *bolt.Tx) error { return put(tx, k, v) })
				})
			})
		}
	}
}

func run(b *testing.B, writers, size int, write func(k, v []byte) error) {
	var next atomic.Uint64
	value := make([]byte, size)
	b.SetBytes(int64(size))
	b.SetParallelism(writers)
	b.ResetTimer()
	if writers == 1 {
		for range b.N {
			if err := write(binary.BigEndian.AppendUint64(nil, next.Add(1)), value); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := write(binary.BigEndian.AppendUint64(nil, next.Add(1)), value); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
