package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// Batches are kept once per (slot, digest), apart from the records that name them
// (docs/protocol.md, "Durability"): a replica's PREPARE vote and the ledger entry of the slot it
// executes usually hold the same batch, which was written twice before, doubling what every
// slot costs the write-ahead log, the memtable and compaction.
//
//	"b" seq digest   the batch of slot seq whose digest is digest (a pre-prepare, view 0)
//
// A RecPrepare record and a ledger entry are stored without their batch and read back with
// the one under their (slot, digest). A record written with its batch inline (an older data
// directory) keeps it. When a checkpoint becomes stable, the batches of the slots at or below
// it that did not execute here (votes of a view that changed, slots installed through
// catch-up) are deleted with the votes; those of executed slots stay with the ledger.

// batchKeyLen is the length of a batch's key: the prefix, the slot, the digest.
const batchKeyLen = 1 + 8 + len(pbft.Digest{})

func batchKey(s pbft.Seq, d pbft.Digest) []byte {
	k := binary.BigEndian.AppendUint64(append(make([]byte, 0, batchKeyLen), 'b'), uint64(s))
	return append(k, d[:]...)
}

// emptyDigest is the digest of the empty batch, which is never stored under a key.
var emptyDigest = pbft.BatchDigest(nil)

// slotDigest names a stored batch.
type slotDigest struct {
	seq    pbft.Seq
	digest pbft.Digest
}

// batchOps appends the write of batch under (s, d) to ops unless it was written since the
// store opened (a restart writes it once more, harmlessly) or is empty.
func (e *engine) batchOps(ops []op, s pbft.Seq, d pbft.Digest, batch []pbft.Request) ([]op, error) {
	if len(batch) == 0 || e.batches[slotDigest{s, d}] {
		return ops, nil
	}
	b, err := wire.Encode(&pbft.PrePrepare{Seq: s, Digest: d, Batch: batch})
	if err != nil {
		return nil, fmt.Errorf("storage: batch of s=%d: %w", s, err)
	}
	if e.batches == nil {
		e.batches = map[slotDigest]bool{}
	}
	e.batches[slotDigest{s, d}] = true
	return append(ops, op{key: batchKey(s, d), value: seal(b)}), nil
}

// withBatch fills rec.Batch from the stored batch of (rec.Seq, rec.Digest) when rec was
// stored without it.
func (e *engine) withBatch(rec *pbft.Record) error {
	if len(rec.Batch) > 0 || rec.Digest == emptyDigest {
		return nil
	}
	v, ok, err := e.db.get(batchKey(rec.Seq, rec.Digest))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("the batch %s is missing", rec.Digest)
	}
	b, err := open(v)
	if err != nil {
		return fmt.Errorf("the batch %s: %w", rec.Digest, err)
	}
	m, err := wire.Decode(b)
	pp, isPP := m.(*pbft.PrePrepare)
	if err != nil || !isPP || pp.Seq != rec.Seq || pp.Digest != rec.Digest {
		return fmt.Errorf("the batch %s: %w", rec.Digest, errMalformed)
	}
	rec.Batch = pp.Batch
	return nil
}

// slim is rec without its batch, as it is stored.
func slim(rec *pbft.Record) *pbft.Record {
	r := *rec
	r.Batch = nil
	return &r
}

// batchGC returns the deletions of the batches of slots in (floor, s] that did not execute
// here: their slot has no ledger entry with their digest, neither stored nor among recs. It
// looks at the stored batches and at those that pending (the write's other operations) adds.
func (e *engine) batchGC(recs []pbft.Record, s pbft.Seq, pending []op) ([]op, error) {
	floor, err := e.gcFloor()
	if err != nil || s <= floor {
		return nil, err
	}
	executed, err := e.executedDigests(recs, floor, s)
	if err != nil {
		return nil, err
	}
	var ops []op
	collect := func(k []byte) {
		if len(k) != batchKeyLen || k[0] != 'b' {
			return
		}
		seq := pbft.Seq(binary.BigEndian.Uint64(k[1:9]))
		if d, ok := executed[seq]; seq > floor && seq <= s && (!ok || d != pbft.Digest(k[9:])) {
			ops = append(ops, op{key: bytes.Clone(k)})
		}
	}
	err = e.db.scan(batchKey(floor+1, pbft.Digest{}), batchKey(s+1, pbft.Digest{}), func(k, _ []byte) { collect(k) })
	for _, o := range pending {
		if o.value != nil {
			collect(o.key)
		}
	}
	return ops, err
}

// executedDigests maps the slots in (floor, s] executed here to their digests: from the
// ledger, and from recs (not written yet).
func (e *engine) executedDigests(recs []pbft.Record, floor, s pbft.Seq) (map[pbft.Seq]pbft.Digest, error) {
	executed := map[pbft.Seq]pbft.Digest{}
	for i := range recs {
		if recs[i].Kind == pbft.RecExecuted {
			executed[recs[i].Seq] = recs[i].Digest
		}
	}
	err := e.db.scan(ledgerKey('l', floor+1), ledgerKey('l', s+1), func(k, v []byte) {
		if _, rec, err := decodeLedger(k, v); err == nil {
			if _, ok := executed[rec.Seq]; !ok {
				executed[rec.Seq] = rec.Digest
			}
		}
	})
	return executed, err
}

// gcFloor is the slot at or below which batches were already collected: the stable
// checkpoint of the last write that collected them, read from the store once.
func (e *engine) gcFloor() (pbft.Seq, error) {
	if e.floorRead {
		return e.floor, nil
	}
	v, ok, err := e.db.get(recordKey(&pbft.Record{Kind: pbft.RecStable}))
	if err != nil {
		return 0, err
	}
	if ok {
		if rec, err := decodeRecord(v); err == nil && rec.Stable != nil {
			e.floor = rec.Stable.Seq
		}
	}
	e.floorRead = true
	return e.floor, nil
}

// collected records that the batches at or below s were collected, and forgets them.
func (e *engine) collected(s pbft.Seq) {
	e.floor = max(e.floor, s)
	for sd := range e.batches {
		if sd.seq <= s {
			delete(e.batches, sd)
		}
	}
}
