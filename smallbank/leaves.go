package smallbank

import (
	"crypto/sha256"
	"encoding/binary"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// parallelMin is the smallest share of work worth a goroutine: from twice as many accounts to
// place or leaves to hash, a fold runs on all cores. That is loading or restoring many accounts,
// not the folds of normal operation, which stay on the caller's goroutine.
const parallelMin = 4096

// leafOf is the leaf of the account named name: the first two bytes of SHA-256 over
// bucketDomain and the name.
func leafOf(name string) uint16 {
	var buf [len(bucketDomain) + MaxAccountLen]byte
	sum := sha256.Sum256(append(append(buf[:0], bucketDomain...), name...))
	return binary.BigEndian.Uint16(sum[:])
}

// placeNew puts the accounts opened since the last fold into their leaves and marks those
// leaves. A few are inserted one by one; many are grouped with all the others afresh.
func (b *Bank) placeNew() {
	t := b.tree
	placed := len(t.bucketOf)
	count := len(b.names) - placed
	if count == 0 {
		return
	}
	t.bucketOf = slices.Grow(t.bucketOf, count)[:len(b.names)]
	fresh, names := t.bucketOf[placed:], b.names[placed:]
	if count < 2*parallelMin {
		for i, name := range names {
			fresh[i] = leafOf(name)
			b.insertMember(int32(placed + i))
		}
	} else {
		forParts(count, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				fresh[i] = leafOf(names[i])
			}
		})
		b.regroup()
	}
	for _, k := range fresh {
		t.levels[0].mark(int32(k))
	}
}

// insertMember inserts placed account i into its leaf, in name order.
func (b *Bank) insertMember(i int32) {
	t := b.tree
	k := t.bucketOf[i]
	pos, _ := slices.BinarySearchFunc(t.members[k], b.names[i], func(j int32, name string) int {
		return strings.Compare(b.names[j], name)
	})
	t.members[k] = slices.Insert(t.members[k], pos, i)
}

// regroup rebuilds every leaf's member list from bucketOf: a counting sort into one shared
// array, then a sort of each leaf by name. Each list is capped at its length, so that a later
// insertMember copies it instead of overwriting the next one.
func (b *Bank) regroup() {
	t := b.tree
	start := make([]int32, leafCount+1)
	for _, k := range t.bucketOf {
		start[int(k)+1]++
	}
	for k := range leafCount {
		start[k+1] += start[k]
	}
	next := slices.Clone(start[:leafCount])
	shared := make([]int32, len(t.bucketOf))
	for i, k := range t.bucketOf {
		shared[next[k]] = int32(i)
		next[k]++
	}
	for k := range leafCount {
		t.members[k] = shared[start[k]:start[k+1]:start[k+1]]
	}
	byName := func(x, y int32) int { return strings.Compare(b.names[x], b.names[y]) }
	forParts(leafCount, func(lo, hi int) {
		for _, m := range t.members[lo:hi] {
			slices.SortFunc(m, byName)
		}
	})
}

// hashLeaves rehashes the marked leaves, on all cores when there are many.
func (b *Bank) hashLeaves() {
	pending := b.tree.levels[0].pending
	if len(pending) < 2*parallelMin {
		b.tree.scratch = b.hashLeafList(pending, b.tree.scratch)
		return
	}
	forParts(len(pending), func(lo, hi int) { b.hashLeafList(pending[lo:hi], nil) })
}

// hashLeafList rehashes the given leaves, encoding each in buf, which it returns grown. It
// writes only those leaves' hashes, so workers may run it at once on distinct leaves.
func (b *Bank) hashLeafList(leaves []int32, buf []byte) []byte {
	t := b.tree
	for _, k := range leaves {
		buf = append(buf[:0], leafDomain...)
		for _, i := range t.members[k] {
			buf = appendOwnedElem(buf, b.names[i], b.accts.get(i), b.ownerOf(i))
		}
		t.levels[0].hashes[k] = sha256.Sum256(buf)
	}
	return buf
}

// forParts calls f on consecutive parts of [0, n), at once on up to GOMAXPROCS goroutines,
// each part at least parallelMin long; with less work it calls f(0, n) directly.
func forParts(n int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n/parallelMin)
	if workers <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}
