package storage

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/bftbank/pbft/pbft"
)

// TamperLedger flips one byte of the batch stored in the ledger entry of slot s in the data
// directory dir, and recomputes the entry's checksums, as someone with write access to the
// disk would. It exists to demonstrate and test `pbft ledger verify`, which must then report
// the break at slot s; a replica never calls it.
func TamperLedger(dir string, s pbft.Seq) error {
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietLogger{}, ErrorIfNotExists: true})
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", dir, err)
	}
	defer db.Close()
	kv := &pebbleKV{db}
	key := ledgerKey('l', s)
	v, ok, err := kv.get(key)
	if err != nil || !ok {
		return fmt.Errorf("storage: no ledger entry for slot %d (%v)", s, err)
	}
	outer, err := open(v)
	if err != nil || len(outer) < 32 {
		return fmt.Errorf("storage: ledger entry of slot %d: %v", s, orMismatch(err))
	}
	record, err := open(outer[32:])
	if err != nil {
		return err
	}
	rec, err := decodeRecord(outer[32:])
	if err != nil || len(rec.Batch) == 0 {
		return fmt.Errorf("storage: slot %d holds no batch to tamper with", s)
	}
	// The record ends with the last request of the batch (its signature): flip its last byte.
	record[len(record)-1] ^= 0x01
	tampered := append(append([]byte(nil), outer[:32]...), seal(record)...)
	return kv.apply([]op{{key: key, value: seal(tampered)}}, true)
}
