package crypto

import (
	"sync"

	GG "github.com/cloudflare/circl/ecc/bls12381"
)

// hashCacheSize bounds the messages whose hash to G1 is remembered.
const hashCacheSize = 256

// g1Hashes remembers H(msg) in G1 for recent messages. Hashing to the curve costs about
// 0.1 ms, and a replica hashes the same payload several times per slot: to sign its τ- and
// σ-shares over ("prepare", v, s, d), then to check the certificate over it (and the
// collector again to check what it combined).
var g1Hashes = &g1HashCache{m: make(map[string]GG.G1, hashCacheSize)}

type g1HashCache struct {
	mu sync.Mutex
	m  map[string]GG.G1
}

// hashToG1 returns H(msg) under the scheme's hash-to-curve domain.
func hashToG1(msg []byte) GG.G1 {
	c := g1Hashes
	c.mu.Lock()
	h, ok := c.m[string(msg)]
	c.mu.Unlock()
	if ok {
		return h
	}
	h.Hash(msg, []byte(dstBLS12381))
	c.mu.Lock()
	if len(c.m) >= hashCacheSize {
		clear(c.m)
	}
	c.m[string(msg)] = h
	c.mu.Unlock()
	return h
}
