package crypto

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"

	"filippo.io/edwards25519"
)

// SharedKeySize is the size of a key from SharedKey.
const SharedKeySize = 32

// ErrSharedKey is returned when two Ed25519 keys cannot agree on a shared key (a peer key that
// is not a valid point, or one of small order).
var ErrSharedKey = errors.New("crypto: no shared key with this peer key")

// SharedKey derives a symmetric key that k and the holder of peer's key, and nobody else, can
// compute: X25519 Diffie-Hellman between the two Ed25519 keys mapped to Curve25519 (the
// birational map of RFC 7748, as libsodium's crypto_sign_ed25519_*_to_curve25519 does), then
// HKDF-SHA256 with label and context. Both sides pass the same label and context.
//
// Replicas and clients use it for MACs on replies (docs/protocol.md, "Authentication": a MAC under a
// per client-replica key): an HMAC costs a microsecond where an Ed25519 signature and its check
// cost about 90 µs, and every reply of every request is authenticated.
func (k *SigningKey) SharedKey(peer VerifyKey, label string, context []byte) ([SharedKeySize]byte, error) {
	var out [SharedKeySize]byte
	p, err := new(edwards25519.Point).SetBytes(peer[:])
	if err != nil {
		return out, fmt.Errorf("%w: %v", ErrSharedKey, err)
	}
	curve := ecdh.X25519()
	pub, err := curve.NewPublicKey(p.BytesMontgomery())
	if err != nil {
		return out, fmt.Errorf("%w: %v", ErrSharedKey, err)
	}
	h := sha512.Sum512(k.Seed()) // the Ed25519 secret scalar is the clamped first half
	priv, err := curve.NewPrivateKey(h[:32])
	if err != nil {
		return out, fmt.Errorf("%w: %v", ErrSharedKey, err)
	}
	secret, err := priv.ECDH(pub) // fails on an all-zero result (a small-order peer key)
	if err != nil {
		return out, fmt.Errorf("%w: %v", ErrSharedKey, err)
	}
	key, err := hkdf.Key(sha256.New, secret, []byte(label), string(context), SharedKeySize)
	if err != nil {
		return out, err
	}
	copy(out[:], key)
	return out, nil
}
