package crypto

import (
	"fmt"
	"sync"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
)

// hashCacheSize bounds the messages whose hash to G1 is remembered.
const hashCacheSize = 256

// g1Hashes remembers H(msg) in G1 for recent messages. Hashing to the curve costs about
// 85 µs, and a replica hashes the same payload several times per slot: to sign its τ- and
// σ-shares over ("prepare", v, s, d), then to check the certificate over it (and the
// collector again to check what it combined).
var g1Hashes = &g1HashCache{m: make(map[string]bls.G1Affine, hashCacheSize)}

type g1HashCache struct {
	mu sync.Mutex
	m  map[string]bls.G1Affine
}

// hashToG1 returns H(msg) under the scheme's domain: RFC 9380 hash_to_curve with
// BLS12381G1_XMD:SHA-256_SSWU_RO_, the hash circl's sign/bls uses.
func hashToG1(msg []byte) (bls.G1Affine, error) {
	c := g1Hashes
	c.mu.Lock()
	h, ok := c.m[string(msg)]
	c.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := bls.HashToG1(msg, []byte(dstBLS12381))
	if err != nil {
		return h, fmt.Errorf("crypto: hash to G1: %w", err)
	}
	c.mu.Lock()
	if len(c.m) >= hashCacheSize {
		clear(c.m)
	}
	c.m[string(msg)] = h
	c.mu.Unlock()
	return h, nil
}
