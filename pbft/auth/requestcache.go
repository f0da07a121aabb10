package auth

import (
	"encoding/binary"
	"sync"
)

// The verified-request cache is a set-associative table of requestCacheSets sets of
// requestCacheWays keys each: 8 MiB of keys, and one byte per set for its occupancy and
// eviction cursor. A key lives in the set its first two bytes pick; a lookup compares the
// key with the ways of that one set (128 bytes, two cache lines), and an insertion writes it
// over the oldest way of the set. Nothing is ever deleted.
const (
	requestCacheSets = 1 << 16 // a power of two
	requestCacheWays = 4       // a power of two, at most 64
)

// maxCachedRequests is how many keys the cache holds at most (262,144), and how many later
// insertions of new keys a key stays cached for on average. A key is forgotten when
// requestCacheWays later keys have landed in its set; each new key lands there with
// probability 1/requestCacheSets, so a key survives 16,384 later insertions (two seconds of
// traffic at full load) with probability 0.9999, 65,536 with probability 0.98, and 262,144
// with probability 0.43: enough for the copies of a request that follow its first check
// (forwarded, in the pre-prepare, re-sent, in a VIEW-CHANGE or NEW-VIEW). The map and FIFO
// ring this table replaced kept every key for exactly 65,536 insertions, in 12 MiB.
const maxCachedRequests = requestCacheSets * requestCacheWays

// requestCache remembers requests whose signature verified, by cache key: the SHA-256 of
// client key, signed bytes and signature, whose bits are uniformly distributed.
//
// A hit skips a signature check, so a hit means exactly that the same 32-byte key was added
// since the last reset: the whole key is compared, and only with ways that hold a key added
// since then (the all-zero key is not cached in an empty table). Eviction is per set: a key
// stays cached until requestCacheWays later keys land in its set, first in first out within
// the set (see maxCachedRequests for what that means in insertions); adding a cached key
// again changes nothing. Only keys of signatures that verified are added, so a client
// flooding the replica pays a signed request per key; it may even grind requests whose keys
// fall into one set (requestCacheSets hashes per key), and evict that set's keys with
// requestCacheWays of them. Either way it can only evict entries, costing the replica the
// re-verification of the requests it evicted; it cannot make a key hit that was not added.
type requestCache struct {
	mu   sync.Mutex
	sets []requestSet // nil until the first add, which allocates the table (0.4-5 ms, once)
	fill []setFill    // per set
}

// requestSet holds the keys of one set.
type requestSet [requestCacheWays]keyWords

// keyWords is a cache key as four words, compared whole in four word comparisons.
type keyWords [4]uint64

// wordsOf is key k as words.
func wordsOf(k *[32]byte) keyWords {
	return keyWords{binary.LittleEndian.Uint64(k[0:]), binary.LittleEndian.Uint64(k[8:]),
		binary.LittleEndian.Uint64(k[16:]), binary.LittleEndian.Uint64(k[24:])}
}

// setFill counts the keys a set took since the last reset, from 0 to 2×requestCacheWays-1:
// below requestCacheWays, ways 0 to fill-1 hold keys and the next key goes to way fill; from
// requestCacheWays on, every way holds a key and the next key replaces way
// fill-requestCacheWays, the oldest. Ways not holding a key may hold stale bytes.
type setFill uint8

// holds reports whether way w holds a key added since the last reset.
func (f setFill) holds(w int) bool { return w < int(f) }

// next is the way the next key goes to.
func (f setFill) next() int { return int(f) % requestCacheWays }

// taken is f after one more key.
func (f setFill) taken() setFill {
	if f++; f == 2*requestCacheWays {
		f = requestCacheWays
	}
	return f
}

// setOf is the index of the set of key k: its first bytes.
func setOf(k *keyWords) int { return int(k[0] & (requestCacheSets - 1)) }

// unknown keeps, in order, the pending signatures whose cache key is not cached.
func (c *requestCache) unknown(pending []pendingSig) []pendingSig {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sets == nil {
		return pending
	}
	kept := pending[:0]
	for i := range pending {
		if k := wordsOf(&pending[i].cache); !c.has(setOf(&k), &k) {
			kept = append(kept, pending[i])
		}
	}
	return kept
}

// has reports whether set s holds key k. Only a way that matches is checked for holding a
// key, so a miss reads the set's keys and nothing else.
func (c *requestCache) has(s int, k *keyWords) bool {
	set := &c.sets[s]
	for w := range set {
		if set[w] == *k && c.fill[s].holds(w) {
			return true
		}
	}
	return false
}

// add caches keys. A key cached already keeps its way and its place in the eviction order.
func (c *requestCache) add(keys [][32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sets == nil {
		c.sets = make([]requestSet, requestCacheSets)
		c.fill = make([]setFill, requestCacheSets)
	}
	for i := range keys {
		k := wordsOf(&keys[i])
		s := setOf(&k)
		if c.has(s, &k) {
			continue
		}
		f := c.fill[s]
		c.sets[s][f.next()] = k
		c.fill[s] = f.taken()
	}
}

// reset forgets every key. It empties the sets' fills, not their keys, so it costs one
// byte per set, not the whole table.
func (c *requestCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.fill)
}
