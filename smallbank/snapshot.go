package smallbank

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/bftbank/pbft/pbft"
)

// snapshotMagic starts every snapshot and names its version (v2 added owners and tellers, v3
// the accounts' versions).
const snapshotMagic = "smallbank/snapshot/v3\x00"

// snapshotMagicV2 starts the snapshots of the previous format, which Restore names in its error.
const snapshotMagicV2 = "smallbank/snapshot/v2\x00"

// minSnapshotEntry is the smallest encoded account: a 1-byte name, three 1-byte varints and
// an empty owner.
const minSnapshotEntry = 6

// Snapshot encodes the whole state canonically: the magic, the number of accounts as a uvarint,
// then every account in name order as its length-prefixed name, checking and savings as zigzag
// varints, its version as a uvarint and its length-prefixed owner (empty for the client of the account's own name); then
// the number of tellers as a uvarint and each length-prefixed, in name order; last SHA-256 of
// everything before it. Equal states give equal snapshots.
func (b *Bank) Snapshot() []byte {
	return encodeSnapshot(b.frozenState(b.accts.view()))
}

// frozenState is what a snapshot encodes. Names, owners and tellers never change in place
// (they are only appended to, or replaced by copies), so clipped slices of them stay valid.
type frozenState struct {
	names   []string
	accts   frozenAccounts
	order   []int32
	owners  []owned
	tellers []string
}

func (b *Bank) frozenState(accts frozenAccounts) frozenState {
	return frozenState{names: slices.Clip(b.names), accts: accts, order: b.sortedOrder(),
		owners: slices.Clip(b.owners), tellers: slices.Clip(b.tellers)}
}

// Freeze captures the state for a later Snapshot (pbft.Freezer): it shares the balances
// copy-on-write (accountStore.freeze: a chunk is copied when the bank first changes it), and
// the names and their order, which never change once opened; the encoding, ten times dearer,
// happens only if the returned function is called.
func (b *Bank) Freeze() func() []byte {
	st := b.frozenState(b.accts.freeze())
	return func() []byte { return encodeSnapshot(st) }
}

// encodeSnapshot encodes the accounts in the given (name) order, then the tellers; see Snapshot.
func encodeSnapshot(st frozenState) []byte {
	buf := make([]byte, 0, len(snapshotMagic)+binary.MaxVarintLen64+len(st.order)*20+sha256.Size)
	buf = append(buf, snapshotMagic...)
	buf = binary.AppendUvarint(buf, uint64(len(st.order)))
	for _, i := range st.order {
		name := st.names[i]
		buf = appendName(buf, name)
		a := st.accts.get(i)
		buf = binary.AppendVarint(buf, a.checking)
		buf = binary.AppendVarint(buf, a.savings)
		buf = binary.AppendUvarint(buf, a.version)
		if owner := ownerIn(st.owners, st.names, i); owner != name {
			buf = appendName(buf, owner)
		} else {
			buf = append(buf, 0)
		}
	}
	buf = binary.AppendUvarint(buf, uint64(len(st.tellers)))
	for _, t := range st.tellers {
		buf = appendName(buf, t)
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
	b.replace(restored)
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
	if ok && bytes.HasPrefix(body, []byte(snapshotMagicV2)) {
		return nil, errors.New("smallbank: snapshot of format v2, written before accounts had versions; this build reads v3 only")
	}
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
	if err := decodeTellers(&r, nb); err != nil {
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
	for k := range count {
		name := r.nameBytes()
		a := account{checking: r.varint(), savings: r.varint(), version: r.uvarint()}
		owner := r.ownerBytes()
		if r.err != nil || bytes.Equal(owner, name) {
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
		if len(owner) > 0 {
			nb.owners = append(nb.owners, owned{account: int32(k), owner: string(owner)})
		}
		arena = append(arena, name...)
		ends = append(ends, len(arena))
		nb.accts.push(a)
	}
	nb.indexNames(string(arena), ends)
	return nb, nil
}

// decodeTellers reads the tellers, in strictly increasing name order.
func decodeTellers(r *reader, nb *Bank) error {
	count := r.uvarint()
	if r.err != nil || count > uint64(len(r.buf)/2) {
		return errors.New("smallbank: snapshot is corrupted")
	}
	for range count {
		t := r.name()
		if r.err != nil {
			return errors.New("smallbank: snapshot is corrupted")
		}
		if n := len(nb.tellers); n > 0 && nb.tellers[n-1] >= t {
			return errors.New("smallbank: snapshot tellers are not in strict name order")
		}
		nb.tellers = append(nb.tellers, t)
	}
	return nil
}

// replace makes restored this bank's state, keeping the local statistics.
func (b *Bank) replace(restored *Bank) {
	refused := b.refused
	*b = *restored
	b.refused = refused
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
	return d, func() { b.replace(restored) }, nil
}
