package crypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// Ed25519 sizes.
const (
	VerifyKeySize = ed25519.PublicKeySize // 32
	SignatureSize = ed25519.SignatureSize // 64
	SeedSize      = ed25519.SeedSize      // 32
)

// ErrBadEd25519 is returned for an Ed25519 signature that does not verify or is malformed.
var ErrBadEd25519 = errors.New("crypto: ed25519 signature does not verify")

// SigningKey is an Ed25519 private key, used by clients to sign requests and by replicas to
// sign every message they send (SPEC 3.2).
type SigningKey struct{ priv ed25519.PrivateKey }

// VerifyKey is an Ed25519 public key. It is an array, so it can be compared and used as a map
// key.
type VerifyKey [VerifyKeySize]byte

// GenerateSigningKey derives a key from a 32-byte seed, or draws one from crypto/rand when the
// seed is empty.
func GenerateSigningKey(seed []byte) (*SigningKey, error) {
	if len(seed) == 0 {
		seed = make([]byte, SeedSize)
		if _, err := io.ReadFull(rand.Reader, seed); err != nil {
			return nil, err
		}
	}
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("%w: ed25519 seed is %d bytes, want %d", ErrMalformed, len(seed), SeedSize)
	}
	return &SigningKey{priv: ed25519.NewKeyFromSeed(seed)}, nil
}

// Sign returns the Ed25519 signature of msg.
func (k *SigningKey) Sign(msg []byte) []byte { return ed25519.Sign(k.priv, msg) }

// Public returns the matching verification key.
func (k *SigningKey) Public() VerifyKey {
	var v VerifyKey
	copy(v[:], k.priv[SeedSize:])
	return v
}

// Seed returns the 32-byte seed, the key's whole secret.
func (k *SigningKey) Seed() []byte { return k.priv.Seed() }

// MarshalText encodes the seed in hex, the form key files hold.
func (k *SigningKey) MarshalText() ([]byte, error) {
	return []byte(hex.EncodeToString(k.Seed())), nil
}

// ParseSigningKey reads a key as a hex or raw 32-byte seed, or a hex or raw 64-byte
// seed‖public key (crypto/ed25519's private key form, whose public half must match).
// Surrounding white space is ignored.
func ParseSigningKey(b []byte) (*SigningKey, error) {
	raw := decodeKeyBytes(b)
	switch len(raw) {
	case SeedSize:
		return GenerateSigningKey(raw)
	case ed25519.PrivateKeySize:
		k, _ := GenerateSigningKey(raw[:SeedSize])
		if !bytes.Equal(k.priv, raw) {
			return nil, fmt.Errorf("%w: ed25519 private key halves do not match", ErrMalformed)
		}
		return k, nil
	}
	return nil, fmt.Errorf("%w: ed25519 private key", ErrMalformed)
}

// Verify reports whether sig is a valid signature of msg. It never panics, whatever the
// lengths (crypto/ed25519.Verify panics on a short public key).
func (v VerifyKey) Verify(msg, sig []byte) bool {
	return len(sig) == SignatureSize && ed25519.Verify(v[:], msg, sig)
}

// Check is Verify returning ErrBadEd25519 instead of false.
func (v VerifyKey) Check(msg, sig []byte) error {
	if !v.Verify(msg, sig) {
		return ErrBadEd25519
	}
	return nil
}

// String is the key in hex.
func (v VerifyKey) String() string { return hex.EncodeToString(v[:]) }

// MarshalText encodes the key in hex.
func (v VerifyKey) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads a key written by MarshalText (or raw bytes; see ParseVerifyKey).
func (v *VerifyKey) UnmarshalText(b []byte) error {
	k, err := ParseVerifyKey(b)
	if err != nil {
		return err
	}
	*v = k
	return nil
}

// ParseVerifyKey reads a verification key as 64 hex digits or 32 raw bytes; surrounding white
// space is ignored.
func ParseVerifyKey(b []byte) (VerifyKey, error) {
	var v VerifyKey
	raw := decodeKeyBytes(b)
	if len(raw) != VerifyKeySize {
		return v, fmt.Errorf("%w: ed25519 public key", ErrMalformed)
	}
	copy(v[:], raw)
	return v, nil
}

// decodeKeyBytes returns b hex-decoded when it is (trimmed) hex of a key size, else b as raw.
func decodeKeyBytes(b []byte) []byte {
	t := bytes.TrimSpace(b)
	if len(t) == 2*SeedSize || len(t) == 2*ed25519.PrivateKeySize {
		if raw, err := hex.DecodeString(string(t)); err == nil {
			return raw
		}
	}
	return b
}
