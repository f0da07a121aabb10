package crypto

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha3"
	"io"
)

// seedDomain separates every value derived from a dealer seed from any other use of that seed.
const seedDomain = "pbft/crypto/seed/v1\x00"

// DeriveSeed derives an independent 32-byte seed named label from seed, so that one seed can
// drive several key generations (τ, σ, each replica's and each client's Ed25519 key) without
// their outputs being related. An empty seed gives nil, which every key generator in this
// package reads as "use crypto/rand".
func DeriveSeed(seed []byte, label string) []byte {
	if len(seed) == 0 {
		return nil
	}
	h := sha256.New()
	h.Write([]byte(seedDomain))
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write(seed)
	return h.Sum(nil)
}

// randomReader returns crypto/rand for an empty seed and otherwise a SHAKE256 stream keyed by
// (label, seed), which is deterministic and as good as random to anyone without the seed.
func randomReader(seed []byte, label string) io.Reader {
	if len(seed) == 0 {
		return rand.Reader
	}
	x := sha3.NewSHAKE256()
	x.Write([]byte(seedDomain))
	x.Write([]byte(label))
	x.Write([]byte{0})
	x.Write(seed)
	return x
}

// readerStream adapts an io.Reader to the cipher.Stream that kyber's Pick functions take.
type readerStream struct{ r io.Reader }

// XORKeyStream XORs src with the next len(src) bytes of the reader. A failing crypto/rand is
// unrecoverable for a dealer, and kyber's interface has no error to return, so it panics.
func (s readerStream) XORKeyStream(dst, src []byte) {
	buf := make([]byte, len(src))
	if _, err := io.ReadFull(s.r, buf); err != nil {
		panic("crypto: randomness source failed: " + err.Error())
	}
	for i := range src {
		dst[i] = src[i] ^ buf[i]
	}
}
