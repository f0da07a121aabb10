package auth

import (
	"crypto/sha256"
	"sync"
)

// certCache remembers certificates that verified. A replica sees the same certificate many
// times (in STATUS gossip, VIEW-CHANGE, NEW-VIEW and FETCH-REPLY messages) and a pairing costs
// about 2 ms; identical bytes verify identically, so one check is enough.
type certCache struct {
	mu   sync.Mutex
	seen map[[32]byte]struct{}
}

const maxCachedCerts = 4096

func certKey(key byte, payload, sig []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{key})
	h.Write(payload)
	h.Write(sig)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *certCache) has(k [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.seen[k]
	return ok
}

func (c *certCache) add(k [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil || len(c.seen) >= maxCachedCerts {
		c.seen = make(map[[32]byte]struct{}, 64)
	}
	c.seen[k] = struct{}{}
}
