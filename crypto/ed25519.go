package crypto

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// Signing and verification use curve25519-voi: its signatures are byte for byte those of
// crypto/ed25519 (Ed25519 is deterministic), it signs about a third faster, and it verifies
// by the ZIP-215 rules (cofactored equation; small-order and non-canonical A and R accepted),
// one by one, with an expanded key (ed25519_expanded.go) or in a batch (ed25519_batch.go)
// alike. So whether a signature is accepted never depends on how it was checked, and every
// honest replica accepts exactly the same client requests. Any signature crypto/ed25519
// accepts, ZIP-215 accepts too.

// Ed25519 sizes.
const (
	VerifyKeySize = ed25519.PublicKeySize // 32
	SignatureSize = ed25519.SignatureSize // 64
	SeedSize      = ed25519.SeedSize      // 32
)

// ErrBadEd25519 is returned for an Ed25519 signature that does not verify or is malformed.
var ErrBadEd25519 = errors.New("crypto: ed25519 signature does not verify")

// SigningKey is an Ed25519 private key, used by clients to sign requests and by replicas to
// sign every message they send (docs/protocol.md, "Authentication").
type SigningKey struct {
	priv ed25519.PrivateKey
	hint *hintSigner // the same key, for SignWithHint
}

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
	k := &SigningKey{priv: ed25519.NewKeyFromSeed(seed)}
	k.hint = newHintSigner(seed, k.Public())
	return k, nil
}

// Sign returns the Ed25519 signature of msg (RFC 8032; the same bytes as crypto/ed25519).
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

// zip215 selects the ZIP-215 verification rules for every check.
var zip215 = &ed25519.Options{Verify: ed25519.VerifyOptionsZIP_215}

// Verify reports whether sig is a valid signature of msg by the ZIP-215 rules. It never
// panics, whatever the lengths. A hinted signature (HintedSignatureSize) is checked on its
// first 64 bytes: a hint never changes a verdict, so this agrees with ExpandedVerifyKey and
// Ed25519Batch. A key that verifies many signatures is cheaper to check with ExpandVerifyKey.
func (v VerifyKey) Verify(msg, sig []byte) bool {
	if len(sig) == HintedSignatureSize {
		sig = sig[:SignatureSize]
	}
	return len(sig) == SignatureSize && ed25519.VerifyWithOptions(v[:], msg, sig, zip215)
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
