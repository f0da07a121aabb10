package crypto

import (
	"fmt"
	"sync"

	circl "github.com/cloudflare/circl/ecc/bls12381"
	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
)

// hashCacheSize bounds the messages whose hash to G1 a cache remembers.
const hashCacheSize = 256

// hashCache remembers H(msg) in G1 for recent messages. Hashing to the curve costs about
// 85 µs with gnark (more with circl), and a replica hashes the same payload several times
// per slot: to sign its τ- and σ-shares over ("prepare", v, s, d), then to check the
// certificate over it (and the collector again to check what it combined). Each backend
// has its own cache of its own points, so neither ever uses a hash the other computed.
type hashCache[P any] struct {
	mu   sync.Mutex
	m    map[string]P
	hash func(msg []byte) (P, error)
}

func newHashCache[P any](hash func(msg []byte) (P, error)) *hashCache[P] {
	return &hashCache[P]{m: make(map[string]P, hashCacheSize), hash: hash}
}

// get returns the cached hash of msg, computing and remembering it on a miss.
func (c *hashCache[P]) get(msg []byte) (P, error) {
	c.mu.Lock()
	h, ok := c.m[string(msg)]
	c.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := c.hash(msg)
	if err != nil {
		return h, err
	}
	c.mu.Lock()
	if len(c.m) >= hashCacheSize {
		clear(c.m)
	}
	c.m[string(msg)] = h
	c.mu.Unlock()
	return h, nil
}

// g1Hashes caches gnark's hash to G1; circlHashes caches circl's.
var (
	g1Hashes = newHashCache(func(msg []byte) (bls.G1Affine, error) {
		h, err := bls.HashToG1(msg, []byte(dstBLS12381))
		if err != nil {
			return h, fmt.Errorf("crypto: hash to G1: %w", err)
		}
		return h, nil
	})
	circlHashes = newHashCache(func(msg []byte) (circl.G1, error) {
		var h circl.G1
		h.Hash(msg, []byte(dstBLS12381))
		return h, nil
	})
)

// hashToG1 returns H(msg) under the scheme's domain, computed by gnark: RFC 9380
// hash_to_curve with BLS12381G1_XMD:SHA-256_SSWU_RO_, the hash circl's sign/bls uses.
func hashToG1(msg []byte) (bls.G1Affine, error) { return g1Hashes.get(msg) }

// circlHashToG1 is the same hash computed by circl (the circl backend).
func circlHashToG1(msg []byte) circl.G1 {
	h, _ := circlHashes.get(msg) // circl's hash cannot fail
	return h
}
