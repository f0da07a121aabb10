package storage

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/bftbank/pbft/pbft"
)

// TamperLedger flips one byte of the batch of the ledger entry of slot s in the data
// directory dir, and recomputes the batch's checksum, as someone with write access to the
// disk would. It exists to demonstrate and test `pbft ledger verify`, which must then report
// the break at slot s; a replica never calls it.
func TamperLedger(dir string, s pbft.Seq) error {
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietLogger{}, ErrorIfNotExists: true})
	if err != nil {
		return openError(dir, err)
	}
	defer db.Close()
	return tamperBatch(&pebbleKV{db}, dir, s)
}

// TamperLedger does what the package's TamperLedger does, on the fake store (tests of damaged
// data).
func (m *Memory) TamperLedger(s pbft.Seq) error { return tamperBatch(m.mem, "memory", s) }

// tamperBatch flips the last byte of the batch of slot s's ledger entry and reseals it.
func tamperBatch(db kv, dir string, s pbft.Seq) error {
	v, ok, err := db.get(ledgerKey('l', s))
	if err != nil {
		return fmt.Errorf("storage: ledger entry of slot %d: %w", s, err)
	}
	if !ok {
		return fmt.Errorf("storage: the ledger of %s has no entry for slot %d (slots start at 1; a slot at or below a snapshot installed by catch-up has none)", dir, s)
	}
	_, rec, err := decodeLedger(ledgerKey('l', s), v)
	if err != nil {
		return fmt.Errorf("storage: ledger entry of slot %d: %w", s, err)
	}
	key := batchKey(s, rec.Digest)
	if v, ok, err = db.get(key); err != nil {
		return fmt.Errorf("storage: the batch of slot %d: %w", s, err)
	}
	if !ok {
		return fmt.Errorf("storage: slot %d holds no batch to tamper with (an empty slot)", s)
	}
	body, err := open(v)
	if err != nil {
		return fmt.Errorf("storage: the batch of slot %d: %w", s, err)
	}
	// The batch ends with the last request of the batch (its signature): flip its last byte.
	body[len(body)-1] ^= 0x01
	return db.apply([]op{{key: key, value: seal(body)}}, true)
}
