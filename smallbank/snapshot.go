package smallbank

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// snapshotMagic starts every snapshot and names its version.
const snapshotMagic = "smallbank/snapshot/v1\x00"

// minSnapshotEntry is the smallest encoded account: a 1-byte name and two 1-byte varints.
const minSnapshotEntry = 4

// Snapshot encodes the whole state canonically: the magic, the number of accounts as a uvarint,
// then every account in name order as its length-prefixed name and checking and savings as
// zigzag varints, and last SHA-256 of everything before it. Equal states give equal snapshots.
func (b *Bank) Snapshot() []byte {
	return encodeSnapshot(b.names, b.accts.view(), b.sortedOrder())
}

// Freeze captures the state for a later Snapshot (pbft.Freezer): it shares the balances
// copy-on-write (accountStore.freeze: a chunk is copied when the bank first changes it), and
// the names and their order, which never change once opened; the encoding, ten times dearer,
// happens only if the returned function is called.
func (b *Bank) Freeze() func() []byte {
	names, accts, order := b.names[:len(b.names):len(b.names)], b.accts.freeze(), b.sortedOrder()
	return func() []byte { return encodeSnapshot(names, accts, order) }
}

// encodeSnapshot encodes the accounts in the given (name) order; see Snapshot.
func encodeSnapshot(names []string, accts frozenAccounts, order []int32) []byte {
	buf := make([]byte, 0, len(snapshotMagic)+binary.MaxVarintLen64+len(order)*16+sha256.Size)
	buf = append(buf, snapshotMagic...)
	buf = binary.AppendUvarint(buf, uint64(len(order)))
	for _, i := range order {
		buf = appendName(buf, names[i])
		a := accts.get(i)
		buf = binary.AppendVarint(buf, a.checking)
		buf = binary.AppendVarint(buf, a.savings)
	}
	sum := sha256.Sum256(buf)
	return append(buf, sum[:]...)
}

// Restore replaces the state with a snapshot and recomputes the digest from it. A snapshot that
// is corrupted or not canonical is an error, and the state is then left unchanged.
func (b *Bank) Restore(snapshot []byte) error {
	restored, err := decodeSnapshot(snapshot)
	if err != nil {
		return err
	}
	restored.Digest()
	*b = *restored
	return nil
}

// RestoreVerified is Restore for a snapshot that must have the state digest want (the digest
// of a checkpoint certificate): on a mismatch it returns an error and leaves the state unchanged.
func (b *Bank) RestoreVerified(snapshot []byte, want pbft.Digest) error {
	got, commit, err := b.StageRestore(snapshot)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("smallbank: snapshot digest %v, want %v", got, want)
	}
	commit()
	return nil
}

// decodeSnapshot parses a snapshot into a new bank whose digest is not computed yet.
func decodeSnapshot(snapshot []byte) (*Bank, error) {
	body, ok := checkSum(snapshot)
	if !ok || !bytes.HasPrefix(body, []byte(snapshotMagic)) {
		return nil, errors.New("smallbank: snapshot is corrupted")
	}
	r := reader{buf: body[len(snapshotMagic):]}
	count := r.uvarint()
	if r.err != nil || count > uint64(len(r.buf)/minSnapshotEntry) {
		return nil, errors.New("smallbank: snapshot is corrupted")
	}
	nb, err := decodeAccounts(&r, int(count))
	if err != nil {
		return nil, err
	}
	if err := r.finish(); err != nil {
		return nil, errors.New("smallbank: snapshot has trailing bytes")
	}
	return nb, nil
}

// checkSum splits off and verifies the trailing SHA-256.
func checkSum(snapshot []byte) (body []byte, ok bool) {
	if len(snapshot) < sha256.Size {
		return nil, false
	}
	body = snapshot[:len(snapshot)-sha256.Size]
	sum := sha256.Sum256(body)
	return body, bytes.Equal(sum[:], snapshot[len(body):])
}

// decodeAccounts reads count accounts in strictly increasing name order. The names are copied
// into one string that they all share, instead of one allocation each.
func decodeAccounts(r *reader, count int) (*Bank, error) {
	nb := NewBank()
	nb.accts.grow(count)
	ends := make([]int, 0, count)
	var arena, last []byte
	for range count {
		name := r.nameBytes()
		a := account{checking: r.varint(), savings: r.varint()}
		if r.err != nil {
			return nil, errors.New("smallbank: snapshot is corrupted")
		}
		if last != nil && bytes.Compare(last, name) >= 0 {
			return nil, errors.New("smallbank: snapshot accounts are not in strict name order")
		}
		total, ok := addInt(nb.total, a.checking+a.savings)
		if !a.valid() || !ok {
			return nil, errors.New("smallbank: snapshot holds an invalid account")
		}
		last, nb.total = name, total
		arena = append(arena, name...)
		ends = append(ends, len(arena))
		nb.accts.push(a)
	}
	nb.indexNames(string(arena), ends)
	return nb, nil
}

// indexNames fills names, index and the sorted order from the names in accts order, which is
// name order.
func (b *Bank) indexNames(all string, ends []int) {
	b.names = make([]string, len(ends))
	b.index = make(map[string]int32, len(ends))
	b.sorted = make([]int32, len(ends))
	start := 0
	for i, end := range ends {
		b.names[i], start = all[start:end], end
		b.index[b.names[i]] = int32(i)
		b.sorted[i] = int32(i)
	}
	b.stale = true
}

var _ pbft.StagedRestorer = (*Bank)(nil)

// StageRestore decodes a snapshot into a new bank beside this one (pbft.StagedRestorer) and
// returns the new bank's digest and a function that makes it this bank's state. This bank is
// unchanged until commit is called; a snapshot that is corrupted or not canonical is an error.
func (b *Bank) StageRestore(snapshot []byte) (pbft.Digest, func(), error) {
	restored, err := decodeSnapshot(snapshot)
	if err != nil {
		return pbft.Digest{}, nil, err
	}
	d := restored.Digest()
	return d, func() { *b = *restored }, nil
}
