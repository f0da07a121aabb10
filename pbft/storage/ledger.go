package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// The ledger (docs/protocol.md, "Ledger"): every executed slot, with the certificate that
// committed it, kept for good (the executed records that a restart replays are dropped at
// each saved checkpoint; the ledger is not), each entry naming the hash of the one before, as
// a blockchain does; and every stable checkpoint certificate. An auditor holding only the
// public keys can check a replica's whole history (`pbft ledger verify`).
//
//	"l" seq   ledger entry: the previous entry's hash, then the RecExecuted record (its
//	          batch is kept apart, batches.go; the certificate's digest names it)
//	"k" seq   a stable checkpoint certificate
//	"t"       the ledger's tip: its last slot and hash (written with every entry)

// LedgerEntry is one executed slot of the ledger.
type LedgerEntry struct {
	Seq   pbft.Seq
	Prev  [32]byte // the hash of the entry of slot Seq-1; zero when the slot before was not executed here (catch-up installed a snapshot)
	Hash  [32]byte // this entry's hash: slot, Prev and the record
	Cert  pbft.Cert
	Batch []pbft.Request
}

type ledgerTip struct {
	mu   sync.Mutex
	seq  pbft.Seq
	hash [32]byte
	read bool
}

var keyLedgerTip = []byte("t")

func ledgerKey(prefix byte, s pbft.Seq) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefix}, uint64(s))
}

// entryHash is the chain hash of the entry of slot s after prev, whose record encodes as rec.
func entryHash(s pbft.Seq, prev [32]byte, rec []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte("pbft/ledger/v1\x00"))
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(s)))
	h.Write(prev[:])
	h.Write(rec)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// ledgerOps returns the writes that add recs' executed slots and stable checkpoints to the
// ledger, and the tip after them (committed by the caller once the writes are durable).
func (e *engine) ledgerOps(recs []pbft.Record) ([]op, pbft.Seq, [32]byte, error) {
	if err := e.readTip(); err != nil {
		return nil, 0, [32]byte{}, err
	}
	seq, hash := e.tip.seq, e.tip.hash
	var ops []op
	for i := range recs {
		rec := &recs[i]
		switch rec.Kind {
		case pbft.RecStable:
			c, err := wire.Encode(rec.Stable)
			if err != nil {
				return nil, 0, [32]byte{}, err
			}
			ops = append(ops, op{key: ledgerKey('k', rec.Stable.Seq), value: seal(c)})
		case pbft.RecExecuted:
			var err error
			if ops, err = e.batchOps(ops, rec.Seq, rec.Digest, rec.Batch); err != nil {
				return nil, 0, [32]byte{}, err
			}
			body, err := encodeRecord(slim(rec))
			if err != nil {
				return nil, 0, [32]byte{}, err
			}
			var prev [32]byte
			if rec.Seq == seq+1 {
				prev = hash
			} else {
				prev = e.storedEntryHash(rec.Seq - 1)
			}
			seq, hash = rec.Seq, entryHash(rec.Seq, prev, body)
			ops = append(ops, op{key: ledgerKey('l', rec.Seq), value: seal(append(prev[:len(prev):len(prev)], body...))})
		}
	}
	if seq != e.tip.seq {
		tip := binary.BigEndian.AppendUint64(nil, uint64(seq))
		ops = append(ops, op{key: keyLedgerTip, value: seal(append(tip, hash[:]...))})
	}
	return ops, seq, hash, nil
}

// storedEntryHash is the hash of slot s's stored ledger entry, or zero (a new chain segment,
// which verification reports unless a checkpoint covers it) when there is none. A slot
// executed again after the tip moved past it (replay stopped before a damaged entry, and
// catch-up brought the slot back) links to the entry before it, so the chain heals: an
// entry's hash covers its batch's digest, not the batch, and the rewritten entry is the one
// that was there.
func (e *engine) storedEntryHash(s pbft.Seq) [32]byte {
	v, ok, err := e.db.get(ledgerKey('l', s))
	if err != nil || !ok {
		return [32]byte{}
	}
	le, _, err := decodeLedger(ledgerKey('l', s), v)
	if err != nil {
		return [32]byte{}
	}
	return le.Hash
}

// readTip loads the ledger's tip once.
func (e *engine) readTip() error {
	if e.tip.read {
		return nil
	}
	v, ok, err := e.db.get(keyLedgerTip)
	if err != nil {
		return err
	}
	e.tip.read = true
	if !ok {
		return nil
	}
	b, err := open(v)
	if err != nil || len(b) != 8+32 {
		// A damaged tip starts a new chain segment: the next entry's Prev is zero, which
		// verification reports as a gap.
		return nil
	}
	e.tip.seq = pbft.Seq(binary.BigEndian.Uint64(b))
	copy(e.tip.hash[:], b[8:])
	return nil
}

// Ledger calls fn with every ledger entry in slot order, or with the error that made one
// unreadable (its slot named), until fn returns false.
func (e *engine) Ledger(fn func(LedgerEntry, error) bool) error {
	stop := false
	return scanPrefix(e.db, []byte{'l'}, func(k, v []byte) {
		if stop {
			return
		}
		stop = !fn(e.ledgerEntry(k, v))
	})
}

// ledgerEntry decodes a ledger entry with its batch.
func (e *engine) ledgerEntry(k, v []byte) (LedgerEntry, error) {
	le, rec, err := e.decodeLedgerBatch(k, v)
	if err == nil {
		le.Cert, le.Batch = *rec.Cert, rec.Batch
	}
	return le, err
}

// decodeLedgerBatch is decodeLedger with the entry's batch read from where it is kept.
func (e *engine) decodeLedgerBatch(k, v []byte) (LedgerEntry, pbft.Record, error) {
	le, rec, err := decodeLedger(k, v)
	if err == nil {
		if err = e.withBatch(&rec); err != nil {
			err = fmt.Errorf("slot %d: %w", le.Seq, err)
		}
	}
	return le, rec, err
}

// decodeLedger decodes a ledger entry and the RecExecuted record it holds.
func decodeLedger(k, v []byte) (LedgerEntry, pbft.Record, error) {
	var le LedgerEntry
	if len(k) != 9 {
		return le, pbft.Record{}, fmt.Errorf("ledger key %x: %w", k, errMalformed)
	}
	le.Seq = pbft.Seq(binary.BigEndian.Uint64(k[1:]))
	b, err := open(v)
	if err != nil || len(b) < 32 {
		return le, pbft.Record{}, fmt.Errorf("slot %d: %w", le.Seq, orMismatch(err))
	}
	copy(le.Prev[:], b[:32])
	rec, err := decodeRecord(b[32:])
	if err != nil {
		return le, rec, fmt.Errorf("slot %d: %w", le.Seq, err)
	}
	if rec.Kind != pbft.RecExecuted || rec.Seq != le.Seq || rec.Cert == nil {
		return le, rec, fmt.Errorf("slot %d: %w", le.Seq, errMalformed)
	}
	le.Hash = entryHash(le.Seq, le.Prev, b[32:])
	return le, rec, nil
}

// Checkpoints returns the stable checkpoint certificates of the ledger, by slot; unreadable
// ones are left out (verification then has no certificate to check that slot's state against).
func (e *engine) Checkpoints() (map[pbft.Seq]pbft.CheckpointCert, error) {
	out := map[pbft.Seq]pbft.CheckpointCert{}
	err := scanPrefix(e.db, []byte{'k'}, func(k, v []byte) {
		b, err := open(v)
		if err != nil {
			return
		}
		m, err := wire.Decode(b)
		if c, ok := m.(*pbft.CheckpointCert); err == nil && ok {
			out[c.Seq] = *c
		}
	})
	return out, err
}

// LedgerReader reads the ledger of a data directory without changing it (the replica must
// not be running: pebble locks its directory).
type LedgerReader struct {
	e  *engine
	db interface{ close() error }
}

// OpenLedger opens dir read-only and returns the identity it records (the replica and
// cluster that wrote it), for the caller to compare with the configuration's.
func OpenLedger(dir string) (*LedgerReader, Identity, error) {
	db, err := openPebbleReadOnly(dir)
	if err != nil {
		return nil, Identity{}, err
	}
	stored, ok, err := db.get(keyIdentity)
	if err == nil && !ok {
		err = fmt.Errorf("storage: %s is not a replica's data directory (no identity record)", dir)
	}
	var id Identity
	if err == nil {
		id, err = decodeIdentity(stored)
	}
	if err != nil {
		db.close()
		return nil, Identity{}, err
	}
	return &LedgerReader{e: &engine{db: db}, db: db}, id, nil
}

// decodeIdentity reads an identity record (Identity.encode).
func decodeIdentity(b []byte) (Identity, error) {
	var id Identity
	n := len(Identity{}.encode())
	if len(b) != n {
		return id, fmt.Errorf("%w: unreadable identity record", ErrOtherReplica)
	}
	id.Replica = pbft.NodeID(binary.BigEndian.Uint32(b[n-36:]))
	copy(id.Cluster[:], b[n-32:])
	return id, nil
}

// Entries calls fn with every ledger entry in slot order (or the error that made one
// unreadable), until fn returns false.
func (l *LedgerReader) Entries(fn func(LedgerEntry, error) bool) error { return l.e.Ledger(fn) }

// Checkpoints returns the stable checkpoint certificates by slot.
func (l *LedgerReader) Checkpoints() (map[pbft.Seq]pbft.CheckpointCert, error) {
	return l.e.Checkpoints()
}

// Close releases the directory.
func (l *LedgerReader) Close() error { return l.db.close() }
