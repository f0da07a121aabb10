package auth

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"testing"
)

// TestRequestCacheKeepsAKeyForWaysKeysOfItsSet checks the eviction rule: a key stays cached
// until requestCacheWays later keys land in its set, whatever lands in the other sets, and
// the set forgets its oldest key first.
func TestRequestCacheKeepsAKeyForWaysKeysOfItsSet(t *testing.T) {
	c := new(requestCache)
	const set = 12345
	ours := func(n int) [32]byte { return keyInSet(set, uint64(n)) }
	c.add([][32]byte{ours(0)})
	for s := range requestCacheSets { // every other set filled twice over
		if s != set {
			c.add(keysInSet(s, 1, 2*requestCacheWays))
		}
	}
	for n := 1; n < requestCacheWays; n++ {
		c.add([][32]byte{ours(n)})
	}
	wantCached(t, c, "after ways-1 keys of its set", ours(0), true)
	c.add([][32]byte{ours(requestCacheWays)})
	wantCached(t, c, "after ways keys of its set", ours(0), false)
	for n := 1; n <= requestCacheWays; n++ {
		wantCached(t, c, "one of the newest ways keys of the set", ours(n), true)
	}
	c.add([][32]byte{ours(requestCacheWays + 1)})
	wantCached(t, c, "the second oldest after one more", ours(1), false)
	wantCached(t, c, "the third oldest after one more", ours(2), true)
}

// TestRequestCacheAddsAKeyOnce checks that adding a cached key again, in another batch or
// twice in one, takes no way: it evicts nothing and keeps the key's place.
func TestRequestCacheAddsAKeyOnce(t *testing.T) {
	c := new(requestCache)
	const set = 777
	first, twice := keyInSet(set, 0), keyInSet(set, 1)
	c.add([][32]byte{first, twice})
	for range 2 * requestCacheWays {
		c.add([][32]byte{twice, twice})
	}
	c.add(keysInSet(set, 2, requestCacheWays-2)) // ways-1 keys after first, twice counted once
	wantCached(t, c, "the oldest key after duplicates", first, true)
	c.add([][32]byte{keyInSet(set, 1000)})
	wantCached(t, c, "the oldest key after one more", first, false)
	wantCached(t, c, "the duplicated key after one more", twice, true)
}

// TestRequestCacheFollowsItsEvictionRule fills the cache several times over with random keys,
// some of them added again, and compares it with the rule it follows: a key is cached if and
// only if it was added and fewer than requestCacheWays distinct keys landed in its set since.
// Keys never added, and the all-zero key, never hit.
func TestRequestCacheFollowsItsEvictionRule(t *testing.T) {
	c, rule := new(requestCache), newEvictionRule()
	batch := make([][32]byte, 0, 160)
	for n := range uint64(2 * maxCachedRequests) {
		batch = append(batch, counterKey(n))
		if len(batch) == 150 || n == 2*maxCachedRequests-1 {
			batch = append(batch, batch[:10]...) // some copies, as replicas see
			c.add(batch)
			for _, k := range batch {
				rule.follow(k)
			}
			batch = batch[:0]
		}
	}
	for s, keys := range rule.newest {
		for _, k := range keys {
			wantCached(t, c, fmt.Sprintf("key of set %d not yet evicted", s), k, true)
		}
	}
	for _, k := range rule.evicted { // unless added again since
		wantCached(t, c, "evicted key", k, slices.Contains(rule.newest[setOfKey(k)], k))
	}
	for n := range uint64(4 * maxCachedRequests) {
		wantCached(t, c, "key never added", counterKey(1<<40+n), false)
	}
	wantCached(t, c, "all-zero key", [32]byte{}, false)
}

// evictionRule is what the cache should hold: per set, the requestCacheWays newest
// distinct keys added to it.
type evictionRule struct {
	newest  [][][32]byte // per set, oldest first
	evicted [][32]byte   // every key that left newest
}

// newEvictionRule is the rule of an empty cache.
func newEvictionRule() *evictionRule {
	return &evictionRule{newest: make([][][32]byte, requestCacheSets)}
}

// follow adds k to the set of k, unless the set has it.
func (r *evictionRule) follow(k [32]byte) {
	s := setOfKey(k)
	if slices.Contains(r.newest[s], k) {
		return
	}
	if r.newest[s] = append(r.newest[s], k); len(r.newest[s]) > requestCacheWays {
		r.evicted = append(r.evicted, r.newest[s][0])
		r.newest[s] = r.newest[s][1:]
	}
}

// TestRequestCacheComparesWholeKeys checks that a key differing from a cached one in any
// single bit, in its set or not, misses.
func TestRequestCacheComparesWholeKeys(t *testing.T) {
	c := new(requestCache)
	k := keyInSet(4242, 1)
	c.add([][32]byte{k})
	for bit := range 256 {
		near := k
		near[bit/8] ^= 1 << (bit % 8)
		wantCached(t, c, fmt.Sprintf("key with bit %d flipped", bit), near, false)
	}
	wantCached(t, c, "the key", k, true)
}

// TestRequestCacheZeroKey checks that the all-zero key (the bytes of an empty way) is cached
// only once added.
func TestRequestCacheZeroKey(t *testing.T) {
	c := new(requestCache)
	var zero [32]byte
	wantCached(t, c, "zero key, no table", zero, false)
	c.add([][32]byte{keyInSet(setOfKey(zero)+1, 1)}) // the table exists, the zero key's set is empty
	wantCached(t, c, "zero key, empty set", zero, false)
	c.add([][32]byte{keyInSet(setOfKey(zero), 1)})
	wantCached(t, c, "zero key, set of one other key", zero, false)
	c.add([][32]byte{zero})
	wantCached(t, c, "zero key added", zero, true)
	c.reset()
	wantCached(t, c, "zero key after reset", zero, false)
}

// TestRequestCacheReset checks that reset forgets every key, though their bytes stay in the
// table, and that the cache fills again as a new one.
func TestRequestCacheReset(t *testing.T) {
	c := new(requestCache)
	keys := make([][32]byte, 10000)
	for i := range keys {
		keys[i] = counterKey(uint64(i))
	}
	c.add(keys)
	const set = 99
	old := keysInSet(set, 0, requestCacheWays) // fills the set
	c.add(old)
	c.reset()
	for _, k := range append(keys, old...) {
		wantCached(t, c, "key added before reset", k, false)
	}
	c.add(old[requestCacheWays-1:]) // into way 0; the other ways still hold old's bytes
	wantCached(t, c, "key added again", old[requestCacheWays-1], true)
	for _, k := range old[:requestCacheWays-1] {
		wantCached(t, c, "key whose bytes stay in its way", k, false)
	}
	c.add(old[1:2]) // its bytes are in way 1, which holds no key: added as new
	wantCached(t, c, "key added again into its own stale way", old[1], true)
	c.add(keysInSet(set, 100, requestCacheWays-2))
	wantCached(t, c, "oldest key after reset, ways-1 keys later", old[requestCacheWays-1], true)
	c.add(keysInSet(set, 200, 1))
	wantCached(t, c, "oldest key after reset, ways keys later", old[requestCacheWays-1], false)
}

// TestRequestCacheConcurrentUse has goroutines look up and add batches at once, each in
// its own sets (one set per key, so that nothing is evicted): every batch is unknown before
// its add and known after, while keys never added stay unknown.
func TestRequestCacheConcurrentUse(t *testing.T) {
	c := new(requestCache)
	const workers, rounds, size = 4, 20, 150
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				batch := make([][32]byte, size)
				for i := range batch {
					batch[i] = keyInSet(((w*rounds+r)*size+i)%requestCacheSets, uint64(w))
				}
				if n := len(c.unknown(pendingOf(batch))); n != size {
					t.Errorf("worker %d round %d: %d of %d new keys unknown", w, r, n, size)
				}
				c.add(batch)
				if n := len(c.unknown(pendingOf(batch))); n != 0 {
					t.Errorf("worker %d round %d: %d of %d added keys unknown", w, r, n, size)
				}
				stranger := keyInSet(r, uint64(1000+w))
				wantCached(t, c, "key never added", stranger, false)
			}
		})
	}
	wg.Wait()
}

// wantCached checks whether c holds k.
func wantCached(t *testing.T, c *requestCache, what string, k [32]byte, want bool) {
	t.Helper()
	if got := len(c.unknown(pendingOf([][32]byte{k}))) == 0; got != want {
		t.Errorf("%s %x: cached %v, want %v", what, k[:8], got, want)
	}
}

// pendingOf is a pending signature for each key, in order.
func pendingOf(keys [][32]byte) []pendingSig {
	p := make([]pendingSig, len(keys))
	for i, k := range keys {
		p[i] = pendingSig{index: i, cache: k}
	}
	return p
}

// fillRequestCache makes n insertions of distinct keys into a's verified-request cache, in
// batches, as a replica does under load.
func fillRequestCache(a *Authenticator, n int) {
	batch := make([][32]byte, 0, 1024)
	for i := range n {
		batch = append(batch, counterKey(uint64(i)))
		if len(batch) == cap(batch) || i == n-1 {
			a.requests.add(batch)
			batch = batch[:0]
		}
	}
}

// counterKey is a distinct cache key for each n, its bits spread as a SHA-256 output's are:
// four words of splitmix64 output, the first a bijection of n.
func counterKey(n uint64) [32]byte {
	var k [32]byte
	for i := range 4 {
		binary.LittleEndian.PutUint64(k[8*i:], splitmix64(n+uint64(i)*0x632be59bd9b4e019))
	}
	return k
}

// splitmix64 is the output function of the SplitMix64 generator, a bijection.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// keyInSet is a key of set s, distinct for each n.
func keyInSet(s int, n uint64) [32]byte {
	k := counterKey(n)
	binary.LittleEndian.PutUint32(k[:4], uint32(s))
	if setOfKey(k) != s {
		panic("keyInSet: the set index is not the first bytes of the key")
	}
	return k
}

// setOfKey is the set of key k.
func setOfKey(k [32]byte) int {
	w := wordsOf(&k)
	return setOf(&w)
}

// keysInSet is count keys of set s, from keyInSet(s, first) on.
func keysInSet(s int, first uint64, count int) [][32]byte {
	keys := make([][32]byte, count)
	for i := range keys {
		keys[i] = keyInSet(s, first+uint64(i))
	}
	return keys
}

// BenchmarkRequestCacheAdd adds batches of 150 new keys to a full verified-request cache.
func BenchmarkRequestCacheAdd(b *testing.B) {
	a := New(nil, nil)
	fillRequestCache(a, 4*maxCachedRequests)
	batch := make([][32]byte, 150)
	n := uint64(1 << 32)
	for b.Loop() {
		for i := range batch {
			batch[i] = counterKey(n)
			n++
		}
		a.requests.add(batch)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/key")
}

// BenchmarkRequestCacheMiss looks up batches of 150 new keys in a full verified-request
// cache, as a backup does for the requests of a pre-prepare it has not seen.
func BenchmarkRequestCacheMiss(b *testing.B) {
	a := New(nil, nil)
	fillRequestCache(a, 4*maxCachedRequests)
	pending := make([]pendingSig, 150)
	n := uint64(1 << 32)
	for b.Loop() {
		for i := range pending {
			pending[i].cache = counterKey(n)
			n++
		}
		if p := a.requests.unknown(pending); len(p) != len(pending) {
			b.Fatalf("%d unknown, want %d", len(p), len(pending))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pending)), "ns/key")
}
