package smallbank

import (
	"encoding/binary"
	"runtime"
	"sync"

	"github.com/bftbank/pbft/pbft"
)

// parallelMin is the number of pending element updates from which Digest spreads the hashing
// over all cores: loading or restoring many accounts, not the normal case.
const parallelMin = 4096

// digestState maintains the LtHash of the accounts incrementally. hash covers the accounts as
// they were at the last fold: accounts [0, hashed) with the values recorded in prev for those
// changed since (prev holds the value at the last fold). Accounts from hashed on were opened
// since and are not in hash yet. Folding costs O(changes), never O(accounts).
type digestState struct {
	hash   LtHash
	hashed int
	prev   map[int32]account
	digest pbft.Digest
	stale  bool // digest does not reflect the current accounts
}

func newDigestState() digestState {
	var empty LtHash
	return digestState{prev: make(map[int32]account), digest: empty.Sum()}
}

// touch must be called before account i changes: it records the value the hash still covers.
func (b *Bank) touch(i int32) {
	b.stale = true
	if int(i) >= b.hashed {
		return
	}
	if _, seen := b.prev[i]; !seen {
		b.prev[i] = b.accts[i]
	}
}

// Digest returns the state digest: SHA-256 of the LtHash lane vector over every account's
// element (name, checking, savings). Pending changes are folded in first.
func (b *Bank) Digest() pbft.Digest {
	if b.stale {
		b.fold()
	}
	return b.digest
}

// elemUpdate is one pending change to the hash: add the account's current element, and first
// remove its previous one when had is set.
type elemUpdate struct {
	index int32
	had   bool
	prev  account
}

// fold brings hash up to date with the accounts. The order in which updates are applied does
// not matter (the lanes form a commutative group), so neither map order nor the split over
// goroutines changes the result.
func (b *Bank) fold() {
	updates := make([]elemUpdate, 0, len(b.prev)+len(b.accts)-b.hashed)
	for i, p := range b.prev {
		if p != b.accts[i] {
			updates = append(updates, elemUpdate{index: i, had: true, prev: p})
		}
	}
	for i := b.hashed; i < len(b.accts); i++ {
		updates = append(updates, elemUpdate{index: int32(i)})
	}
	b.applyUpdates(updates)
	b.hashed = len(b.accts)
	clear(b.prev)
	b.digest = b.hash.Sum()
	b.stale = false
}

// applyUpdates adds the updates to hash, on every core when there are many.
func (b *Bank) applyUpdates(updates []elemUpdate) {
	workers := min(runtime.GOMAXPROCS(0), len(updates)/parallelMin)
	if workers <= 1 {
		b.hashUpdates(&b.hash, updates)
		return
	}
	parts := make([]LtHash, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(updates)/workers, (w+1)*len(updates)/workers
		wg.Go(func() { b.hashUpdates(&parts[w], updates[lo:hi]) })
	}
	wg.Wait()
	for w := range parts {
		b.hash.Merge(&parts[w])
	}
}

// hashUpdates applies updates to h; it only reads the bank, so workers may run it at once.
func (b *Bank) hashUpdates(h *LtHash, updates []elemUpdate) {
	var buf [elemMaxLen]byte
	for _, u := range updates {
		name := b.names[u.index]
		if u.had {
			h.Remove(appendElem(buf[:0], name, u.prev))
		}
		h.Add(appendElem(buf[:0], name, b.accts[u.index]))
	}
}

// elemMaxLen bounds the encoding of an account element.
const elemMaxLen = 1 + MaxAccountLen + 16

// appendElem encodes an account as a multiset element: the name with its length, then checking
// and savings as big-endian two's complement. Names are unique, so elements are too.
func appendElem(b []byte, name string, a account) []byte {
	b = append(append(b, byte(len(name))), name...)
	b = binary.BigEndian.AppendUint64(b, uint64(a.checking))
	return binary.BigEndian.AppendUint64(b, uint64(a.savings))
}
