package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/wire"
)

// Keys. Every record has its own key, so a record is written once and never rewritten, except
// the three singletons (view, stable checkpoint, NEW-VIEW sent) whose latest value is all that
// matters; records of one kind sort by slot, so dropping those at or below a checkpoint is one
// range deletion.
//
//	"i"                          identity of the data directory
//	"s"                          the saved checkpoint: certificate and state
//	"w"                          a marker Store.Sync writes to sync what came before
//	"r" kind                     RecView, RecStable, RecNewView (latest)
//	"r" kind seq view [certkind] RecPrepare, RecCommit, RecCert, RecExecuted (view 0)
var (
	keyIdentity = []byte("i")
	keySnapshot = []byte("s")
	keySyncMark = []byte("w") // written synced by Store.Sync; its value means nothing
)

func singleton(k pbft.RecordKind) bool {
	return k == pbft.RecView || k == pbft.RecStable || k == pbft.RecNewView
}

func recordKey(rec *pbft.Record) []byte {
	k := []byte{'r', byte(rec.Kind)}
	if singleton(rec.Kind) {
		return k
	}
	k = binary.BigEndian.AppendUint64(k, uint64(rec.Seq))
	view := rec.View
	if rec.Kind == pbft.RecExecuted {
		view = 0
	}
	k = binary.BigEndian.AppendUint64(k, uint64(view))
	if rec.Kind == pbft.RecCert && rec.Cert != nil {
		k = append(k, byte(rec.Cert.Type))
	}
	return k
}

// kindRange is the key range [lo, hi) of kind k's records with slots in [from, to].
func kindRange(k pbft.RecordKind, from, to pbft.Seq) (lo, hi []byte) {
	lo = binary.BigEndian.AppendUint64([]byte{'r', byte(k)}, uint64(from))
	hi = binary.BigEndian.AppendUint64([]byte{'r', byte(k)}, uint64(to)+1)
	return lo, hi
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// seal prefixes a value with its CRC-32C; open checks and strips it.
func seal(body []byte) []byte {
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(body)), crc32.Checksum(body, castagnoli))
	return append(out, body...)
}

var errChecksum = errors.New("checksum mismatch (torn or corrupted write)")

func open(v []byte) ([]byte, error) {
	if len(v) < 4 || binary.BigEndian.Uint32(v) != crc32.Checksum(v[4:], castagnoli) {
		return nil, errChecksum
	}
	return v[4:], nil
}

// encodeRecord is deterministic: fixed fields, then the messages it carries, each encoded by
// package wire and length-prefixed.
func encodeRecord(rec *pbft.Record) ([]byte, error) {
	b := []byte{byte(rec.Kind)}
	b = binary.BigEndian.AppendUint64(b, uint64(rec.View))
	b = binary.BigEndian.AppendUint64(b, uint64(rec.Seq))
	b = append(b, rec.Digest[:]...)
	if rec.Active {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	var msgs []pbft.Message
	switch rec.Kind {
	case pbft.RecCert:
		msgs = []pbft.Message{rec.Cert}
	case pbft.RecPrepare:
		msgs = []pbft.Message{&pbft.PrePrepare{View: rec.View, Seq: rec.Seq, Digest: rec.Digest, Batch: rec.Batch}}
	case pbft.RecExecuted:
		msgs = []pbft.Message{rec.Cert, &pbft.PrePrepare{View: rec.View, Seq: rec.Seq, Digest: rec.Digest, Batch: rec.Batch}}
	case pbft.RecStable:
		msgs = []pbft.Message{rec.Stable}
	case pbft.RecNewView:
		msgs = []pbft.Message{rec.NewView}
	}
	for _, m := range msgs {
		e, err := wire.Encode(m)
		if err != nil {
			return nil, fmt.Errorf("storage: record %d s=%d: %w", rec.Kind, rec.Seq, err)
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(e)))
		b = append(b, e...)
	}
	return seal(b), nil
}

var errMalformed = errors.New("malformed record")

func decodeRecord(v []byte) (pbft.Record, error) {
	b, err := open(v)
	if err != nil {
		return pbft.Record{}, err
	}
	if len(b) < 1+8+8+32+1 {
		return pbft.Record{}, errMalformed
	}
	rec := pbft.Record{Kind: pbft.RecordKind(b[0]), View: pbft.View(binary.BigEndian.Uint64(b[1:])),
		Seq: pbft.Seq(binary.BigEndian.Uint64(b[9:])), Active: b[49] == 1}
	copy(rec.Digest[:], b[17:49])
	msgs, err := decodeMessages(b[50:])
	if err != nil {
		return pbft.Record{}, err
	}
	return rec, fillRecord(&rec, msgs)
}

func decodeMessages(b []byte) ([]pbft.Message, error) {
	var msgs []pbft.Message
	for len(b) > 0 {
		if len(b) < 4 || uint64(len(b)-4) < uint64(binary.BigEndian.Uint32(b)) {
			return nil, errMalformed
		}
		n := binary.BigEndian.Uint32(b)
		m, err := wire.Decode(b[4 : 4+n])
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
		b = b[4+n:]
	}
	return msgs, nil
}

func fillRecord(rec *pbft.Record, msgs []pbft.Message) error {
	ok := true
	switch rec.Kind {
	case pbft.RecCert:
		ok = len(msgs) == 1
		if ok {
			rec.Cert, ok = msgs[0].(*pbft.Cert)
		}
	case pbft.RecExecuted:
		ok = len(msgs) == 2
		if ok {
			var pp *pbft.PrePrepare
			var certOK bool
			rec.Cert, certOK = msgs[0].(*pbft.Cert)
			if pp, ok = msgs[1].(*pbft.PrePrepare); ok && certOK {
				rec.Batch = pp.Batch
			}
			ok = ok && certOK
		}
	case pbft.RecStable:
		ok = len(msgs) == 1
		if ok {
			rec.Stable, ok = msgs[0].(*pbft.CheckpointCert)
		}
	case pbft.RecNewView:
		ok = len(msgs) == 1
		if ok {
			rec.NewView, ok = msgs[0].(*pbft.NewView)
		}
	case pbft.RecPrepare:
		var pp *pbft.PrePrepare
		if ok = len(msgs) == 1; ok {
			if pp, ok = msgs[0].(*pbft.PrePrepare); ok {
				rec.Batch = pp.Batch
			}
		}
	case pbft.RecView, pbft.RecCommit:
		ok = len(msgs) == 0
	default:
		ok = false
	}
	if !ok {
		return errMalformed
	}
	return nil
}

// encodeSnapshot and decodeSnapshot: the certificate (wire), then the state.
func encodeSnapshot(sn *pbft.Snapshot) ([]byte, error) {
	c, err := wire.Encode(&sn.Cert)
	if err != nil {
		return nil, err
	}
	b := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(c)+len(sn.State)), uint32(len(c)))
	b = append(append(b, c...), sn.State...)
	return seal(b), nil
}

func decodeSnapshot(v []byte) (*pbft.Snapshot, error) {
	b, err := open(v)
	if err != nil {
		return nil, err
	}
	if len(b) < 4 || uint64(len(b)-4) < uint64(binary.BigEndian.Uint32(b)) {
		return nil, errMalformed
	}
	n := binary.BigEndian.Uint32(b)
	m, err := wire.Decode(b[4 : 4+n])
	if err != nil {
		return nil, err
	}
	cert, ok := m.(*pbft.CheckpointCert)
	if !ok {
		return nil, errMalformed
	}
	return &pbft.Snapshot{Cert: *cert, State: b[4+n:]}, nil
}
