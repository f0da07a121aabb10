package auth

import "sync"

// maxCachedRequests is how many later insertions a verified request stays cached for: seconds
// of traffic at full load, enough for the copies of a request that follow its first check
// (forwarded, in the pre-prepare, re-sent, in a VIEW-CHANGE or NEW-VIEW).
const maxCachedRequests = 1 << 16

// requestRingSize is how many keys the cache holds: a key is forgotten at the
// requestRingSize-th insertion after its own. Under steady insertion the cache takes about
// 12 MiB (10 in the map, whose deletions leave it half empty, 2 in the ring).
const requestRingSize = maxCachedRequests + 1

// requestCacheHint is the initial capacity of the map and the ring; they grow once, to
// requestRingSize, and then stay about that size.
const requestCacheHint = 1024

// requestCache remembers requests whose signature verified, by cache key (the SHA-256 of
// client key, signed bytes and signature), and forgets the oldest first. A miss costs one map
// lookup; a new key costs one insertion and, once the cache is full, one deletion.
type requestCache struct {
	mu   sync.Mutex
	keys map[[32]byte]struct{} // the keys cached now
	ring [][32]byte            // the keys in insertion order; when full, ring[next] is the oldest
	next int
}

// unknown keeps, in order, the pending signatures whose cache key is not cached.
func (c *requestCache) unknown(pending []pendingSig) []pendingSig {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := pending[:0]
	for i := range pending {
		if _, ok := c.keys[pending[i].cache]; !ok {
			kept = append(kept, pending[i])
		}
	}
	return kept
}

// add caches keys. A key cached already keeps its place in the eviction order.
func (c *requestCache) add(keys [][32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil {
		c.keys = make(map[[32]byte]struct{}, requestCacheHint)
		c.ring = make([][32]byte, 0, requestCacheHint)
	}
	for _, k := range keys {
		n := len(c.keys)
		c.keys[k] = struct{}{}
		if len(c.keys) > n {
			c.push(k)
		}
	}
}

// push records k as the newest key and, when the ring is full, forgets the oldest.
func (c *requestCache) push(k [32]byte) {
	if len(c.ring) < requestRingSize {
		if len(c.ring) == cap(c.ring) { // double, up to requestRingSize exactly
			grown := make([][32]byte, len(c.ring), min(2*cap(c.ring), requestRingSize))
			copy(grown, c.ring)
			c.ring = grown
		}
		c.ring = append(c.ring, k)
		return
	}
	delete(c.keys, c.ring[c.next])
	c.ring[c.next] = k
	c.next = (c.next + 1) % requestRingSize
}

// reset forgets every key.
func (c *requestCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.keys)
	c.ring, c.next = c.ring[:0], 0
}
