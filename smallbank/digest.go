package smallbank

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/bftbank/pbft/pbft"
)

// The state digest is the root of a Merkle tree of fixed shape, whatever the number of
// accounts: 65,536 leaf buckets under four levels of inner nodes with 16 children each (4,096,
// 256, 16, then the root).
//
//   - An account lies in the leaf given by the first two bytes of SHA-256(bucketDomain || name),
//     computed once when the account is first folded and kept in bucketOf.
//   - A leaf hashes to SHA-256(leafDomain || e1 || e2 ...) over the elements (appendOwnedElem)
//     of its accounts in name order, so the digest depends only on the set of (name, checking,
//     savings, version, owner), not on the order in which the accounts were opened. An empty leaf has a
//     constant hash.
//   - An inner node of level k (1 for the parents of leaves, 4 for the root) hashes to
//     SHA-256(nodeDomain || k || its 16 children's hashes).
//   - The state digest is the root, bound to the tellers when there are any (withTellers).
//
// touch marks the leaf of an account about to change; a fold rehashes the marked leaves, then
// their marked parents level by level up to the root: O(changes) hashes of a few hundred bytes
// each, never O(accounts), without allocating. Accounts opened since the last fold are placed
// in their leaves first; many of them at once (loading, restoring) are bucketed, grouped and
// hashed on all cores.
//
// The shape does not depend on the number of accounts, so every replica and every snapshot
// agree on it. 16 children rather than 256 make a changed leaf cost four inner nodes of 513
// bytes instead of two of 8 KiB: a fold of 3,000 changes on 100,000 accounts takes 1.8 ms
// instead of 2.5 ms, and of a single change 4 us instead of 20 us. The state beside the
// accounts is 2 bytes (leaf) and 4 bytes (leaf member list) per account, plus 3.6 MiB for the
// node hashes and the leaves' lists.

// Domain tags keep the digest's uses of SHA-256 apart from each other and from every other use.
const (
	bucketDomain  = "smallbank/digest/v2/bucket\x00"
	leafDomain    = "smallbank/digest/v3/leaf\x00" // v3: elements carry the account's version
	nodeDomain    = "smallbank/digest/v2/node\x00" // followed by the node's level as one byte
	tellersDomain = "smallbank/digest/v2/tellers\x00"
)

// digestState maintains the Merkle tree of the accounts incrementally. The tree holds accounts
// [0, len(tree.bucketOf)); accounts opened since are placed at the next fold.
type digestState struct {
	tree   *merkleTree // nil until the first fold of a bank with accounts
	digest pbft.Digest
	stale  bool // digest does not reflect the current accounts
}

func newDigestState() digestState {
	return digestState{digest: emptyHashes[treeHeight]}
}

// touch must be called before account i changes: it marks the account's leaf for rehashing.
func (b *Bank) touch(i int32) {
	b.stale = true
	if t := b.tree; t != nil && int(i) < len(t.bucketOf) {
		t.levels[0].mark(int32(t.bucketOf[i]))
	}
}

// Digest returns the state digest: the root of the Merkle tree over every account's element
// (name, checking, savings, owner), bound to the tellers (withTellers). Pending changes are
// folded in first.
func (b *Bank) Digest() pbft.Digest {
	if b.stale {
		b.fold()
	}
	return b.digest
}

// fold brings the tree up to date with the accounts: it places new accounts, rehashes the
// marked leaves, then the marked inner nodes up to the root, and binds the tellers to it.
func (b *Bank) fold() {
	b.stale = false
	root := emptyHashes[treeHeight]
	if b.tree == nil && b.accts.len() > 0 {
		b.tree = newMerkleTree()
	}
	if b.tree != nil {
		b.placeNew()
		b.hashLeaves()
		b.tree.hashInner()
		root = b.tree.root()
	}
	b.digest = withTellers(root, b.tellers)
}

// withTellers is the state digest of a tree root and the sorted tellers: the root itself when
// there are none (the digest of a bank without roles is its tree's root), else
// SHA-256(tellersDomain || root || each teller's length and name).
func withTellers(root pbft.Digest, tellers []string) pbft.Digest {
	if len(tellers) == 0 {
		return root
	}
	buf := append([]byte(tellersDomain), root[:]...)
	for _, t := range tellers {
		buf = appendName(buf, t)
	}
	return sha256.Sum256(buf)
}

// appendOwnedElem encodes an account as a leaf element: the name with its length, then checking
// and savings as big-endian two's complement (appendElem). An account owned by another client
// than the one of its name (OpenOwned) is a zero byte (never the length of a name), that
// element, then its owner's length and name. Names are unique, so elements are too, and a
// leaf's concatenated elements decode in one way only.
func appendOwnedElem(b []byte, name string, a account, owner string) []byte {
	if owner == name {
		return appendElem(b, name, a)
	}
	return appendName(appendElem(append(b, 0), name, a), owner)
}

// appendElem is the element of an account owned by the client of its name (appendOwnedElem).
func appendElem(b []byte, name string, a account) []byte {
	b = append(append(b, byte(len(name))), name...)
	b = binary.BigEndian.AppendUint64(b, uint64(a.checking))
	b = binary.BigEndian.AppendUint64(b, uint64(a.savings))
	return binary.BigEndian.AppendUint64(b, a.version)
}
