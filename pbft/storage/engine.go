package storage

import (
	"bytes"
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// kv is what the engine needs of a key-value store: point reads, ordered scans of a prefix,
// and atomic synced batches of writes.
type kv interface {
	get(key []byte) ([]byte, bool, error)
	scan(lo, hi []byte, fn func(k, v []byte)) error // keys in [lo, hi) in order (hi nil: no end)
	apply(ops []op, sync bool) error                // atomically; durable once it returns if sync (and so is every write before it)
	close() error
}

// scanPrefix scans the keys that start with prefix.
func scanPrefix(db kv, prefix []byte, fn func(k, v []byte)) error {
	return db.scan(prefix, prefixEnd(prefix), fn)
}

// prefixEnd is the least key above every key that starts with p (nil: none).
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i]++; end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// op is one write of a batch: set (value non-nil), delete, or a range deletion [key, end).
type op struct {
	key, value, end []byte
}

// engine implements Store over a kv.
type engine struct {
	db  kv
	tip ledgerTip // the ledger's last entry (Append is its only writer); its mu guards the rest

	batches   map[slotDigest]bool // batches written since the store opened, above floor (batches.go)
	floor     pbft.Seq            // batches at or below it were collected
	floorRead bool
}

// openEngine checks the data directory's identity, or writes it into an empty one; fresh
// reports an empty directory.
func openEngine(db kv, id Identity) (*engine, bool, error) {
	stored, ok, err := db.get(keyIdentity)
	if err != nil {
		return nil, false, err
	}
	if ok {
		if err := id.check(stored); err != nil {
			return nil, false, err
		}
		return &engine{db: db}, false, nil
	}
	nonEmpty := false
	if err := db.scan(nil, nil, func(k, v []byte) { nonEmpty = true }); err != nil {
		return nil, false, err
	}
	if nonEmpty {
		return nil, false, fmt.Errorf("%w: it holds data but no identity record", ErrOtherReplica)
	}
	if err := db.apply([]op{{key: keyIdentity, value: id.encode()}}, true); err != nil {
		return nil, false, err
	}
	return &engine{db: db}, true, nil
}

// Append implements Store.
func (e *engine) Append(recs []pbft.Record) error { return e.write(recs, true) }

// AppendUnsynced implements Store.
func (e *engine) AppendUnsynced(recs []pbft.Record) error { return e.write(recs, false) }

// Sync implements Store: a synced write of a marker key makes every earlier write durable.
func (e *engine) Sync() error { return e.db.apply([]op{{key: keySyncMark, value: []byte{1}}}, true) }

// write adds recs (and their ledger entries) in one atomic write, synced or not.
func (e *engine) write(recs []pbft.Record, sync bool) error {
	e.tip.mu.Lock()
	defer e.tip.mu.Unlock()
	ops, stable, err := e.recordOps(recs)
	if err != nil {
		return err
	}
	ledger, seq, hash, err := e.ledgerOps(recs)
	if err != nil {
		return err
	}
	ops = append(ops, ledger...)
	if stable > 0 {
		gc, err := e.batchGC(recs, stable, ops)
		if err != nil {
			return err
		}
		ops = append(ops, gc...)
	}
	if err := e.db.apply(ops, sync); err != nil {
		return err
	}
	e.tip.seq, e.tip.hash = seq, hash
	if stable > 0 {
		e.collected(stable)
	}
	return nil
}

// recordOps returns the writes of recs' records (the executed ones excepted: each is kept
// once, as its ledger entry, which a restart replays) with their batches, and the highest
// stable checkpoint among them, whose write drops the votes, certificates and unexecuted
// batches at or below it.
func (e *engine) recordOps(recs []pbft.Record) ([]op, pbft.Seq, error) {
	ops := make([]op, 0, 2*len(recs))
	var stable pbft.Seq
	for i := range recs {
		rec := &recs[i]
		if rec.Kind == pbft.RecExecuted {
			continue
		}
		var err error
		if rec.Kind == pbft.RecPrepare {
			if ops, err = e.batchOps(ops, rec.Seq, rec.Digest, rec.Batch); err != nil {
				return nil, 0, err
			}
			rec = slim(rec)
		}
		v, err := encodeRecord(rec)
		if err != nil {
			return nil, 0, err
		}
		ops = append(ops, op{key: recordKey(rec), value: v})
		if rec.Kind == pbft.RecStable {
			for _, k := range []pbft.RecordKind{pbft.RecPrepare, pbft.RecCommit, pbft.RecCert} {
				lo, hi := kindRange(k, 0, rec.Seq)
				ops = append(ops, op{key: lo, end: hi})
			}
			stable = max(stable, rec.Seq)
		}
	}
	return ops, stable, nil
}

// SaveCheckpoint implements Store.
func (e *engine) SaveCheckpoint(sn pbft.Snapshot) error {
	v, err := encodeSnapshot(&sn)
	if err != nil {
		return err
	}
	return e.db.apply([]op{{key: keySnapshot, value: v}}, true)
}

// Load implements Store.
func (e *engine) Load() (Loaded, error) {
	var l Loaded
	var drop []op
	v, ok, err := e.db.get(keySnapshot)
	if err != nil {
		return l, err
	}
	if ok {
		if l.Snapshot, err = decodeSnapshot(v); err != nil {
			l.Snapshot = nil
			l.Cut = append(l.Cut, fmt.Sprintf("checkpoint snapshot: %v; it will be fetched from peers", err))
			drop = append(drop, op{key: keySnapshot})
		}
	}
	err = scanPrefix(e.db, []byte("r"), func(k, v []byte) {
		rec, err := decodeRecord(v)
		if err == nil && rec.Kind == pbft.RecPrepare {
			err = e.withBatch(&rec)
		}
		if err != nil || !bytes.Equal(recordKey(&rec), k) {
			l.Cut = append(l.Cut, fmt.Sprintf("record %x: %v: cut off", k, orMismatch(err)))
			drop = append(drop, op{key: bytes.Clone(k)})
			return
		}
		l.Records = append(l.Records, rec)
	})
	if err != nil {
		return l, err
	}
	if err := e.loadExecuted(&l); err != nil {
		return l, err
	}
	if len(drop) > 0 {
		if err := e.db.apply(drop, true); err != nil {
			return l, err
		}
	}
	return l, nil
}

// loadExecuted adds the executed slots after the saved snapshot, read from the ledger, as
// RecExecuted records to replay. A damaged entry ends them: replay stops before it and
// catch-up fetches the rest; the entry stays for `pbft ledger verify` to report.
func (e *engine) loadExecuted(l *Loaded) error {
	from := pbft.Seq(1)
	if l.Snapshot != nil {
		from = l.Snapshot.Cert.Seq + 1
	}
	stop := false
	return e.db.scan(ledgerKey('l', from), prefixEnd([]byte{'l'}), func(k, v []byte) {
		if stop {
			return
		}
		_, rec, err := e.decodeLedgerBatch(k, v)
		if err != nil {
			l.Cut = append(l.Cut, fmt.Sprintf("ledger entry: %v: replay stops before it", err))
			stop = true
			return
		}
		l.Records = append(l.Records, rec)
	})
}

func orMismatch(err error) error {
	if err == nil {
		return fmt.Errorf("key does not match the record")
	}
	return err
}

// Close implements Store.
func (e *engine) Close() error { return e.db.close() }
