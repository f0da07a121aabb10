package smallbank

import (
	"crypto/sha256"

	"github.com/bftbank/pbft/pbft"
)

// The shape of the digest tree (see digest.go): leafCount leaves, fanout children per inner
// node, treeHeight levels of inner nodes above the leaves, the last being the root.
const (
	leafBits   = 16
	leafCount  = 1 << leafBits
	fanoutBits = 4
	fanout     = 1 << fanoutBits
	treeHeight = leafBits / fanoutBits
)

// merkleTree is the digest tree and the grouping of accounts into its leaves.
type merkleTree struct {
	bucketOf []uint16                  // the leaf of every placed account, by account index
	members  [][]int32                 // for every leaf, its accounts in name order
	levels   [treeHeight + 1]treeLevel // levels[0] are the leaves, levels[treeHeight] the root
	scratch  []byte                    // the encoding of a leaf, reused between leaves
}

// treeLevel is one level of the tree: every node's hash and the nodes marked for rehashing,
// each listed once in pending and flagged in the dirty bitmap.
type treeLevel struct {
	hashes  []pbft.Digest
	dirty   []uint64
	pending []int32
}

// emptyHashes holds, for every level, the hash of a node with no account below it.
var emptyHashes = func() (h [treeHeight + 1]pbft.Digest) {
	h[0] = sha256.Sum256([]byte(leafDomain))
	var children [fanout]pbft.Digest
	for k := 1; k <= treeHeight; k++ {
		for c := range children {
			children[c] = h[k-1]
		}
		h[k] = hashNode(k, children[:])
	}
	return h
}()

// newMerkleTree returns the tree of no accounts.
func newMerkleTree() *merkleTree {
	t := &merkleTree{members: make([][]int32, leafCount)}
	for k := range t.levels {
		n := leafCount >> (fanoutBits * k)
		l := &t.levels[k]
		l.hashes = make([]pbft.Digest, n)
		for j := range l.hashes {
			l.hashes[j] = emptyHashes[k]
		}
		l.dirty = make([]uint64, (n+63)/64)
	}
	return t
}

// mark flags node j for rehashing.
func (l *treeLevel) mark(j int32) {
	word, bit := j>>6, uint64(1)<<(j&63)
	if l.dirty[word]&bit == 0 {
		l.dirty[word] |= bit
		l.pending = append(l.pending, j)
	}
}

// settle clears the marks of level k, whose nodes have been rehashed, and marks their parents.
func (t *merkleTree) settle(k int) {
	l := &t.levels[k]
	for _, j := range l.pending {
		l.dirty[j>>6] = 0
		if k < treeHeight {
			t.levels[k+1].mark(j >> fanoutBits)
		}
	}
	l.pending = l.pending[:0]
}

// hashInner rehashes the marked inner nodes, level by level, once the leaves are rehashed.
func (t *merkleTree) hashInner() {
	t.settle(0)
	for k := 1; k <= treeHeight; k++ {
		l, below := &t.levels[k], t.levels[k-1].hashes
		for _, j := range l.pending {
			l.hashes[j] = hashNode(k, below[j*fanout:(j+1)*fanout])
		}
		t.settle(k)
	}
}

// root is the digest of the accounts the tree holds.
func (t *merkleTree) root() pbft.Digest { return t.levels[treeHeight].hashes[0] }

// hashNode hashes an inner node of the given level from its children's hashes.
func hashNode(level int, children []pbft.Digest) pbft.Digest {
	var buf [len(nodeDomain) + 1 + fanout*sha256.Size]byte
	b := append(append(buf[:0], nodeDomain...), byte(level))
	for _, c := range children {
		b = append(b, c[:]...)
	}
	return sha256.Sum256(b)
}
