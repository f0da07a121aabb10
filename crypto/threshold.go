package crypto

import (
	"errors"
	"fmt"
)

// Scheme names accepted by Deal, UnmarshalPublic, UnmarshalSigner and DealCluster.
const (
	SchemeBN256    = "bn256"    // kyber sign/tbls over the bn256 pairing
	SchemeBLS12381 = "bls12381" // BLS12-381, keys in G2, signatures in G1 (gnark-crypto or circl)
)

// MaxParties bounds n so that share indices fit the two-byte encodings.
const MaxParties = 1024

// Errors returned by the threshold schemes. Callers match them with errors.Is.
var (
	ErrUnknownScheme   = errors.New("crypto: unknown threshold scheme")
	ErrUnknownBackend  = errors.New("crypto backend")
	ErrInvalidParams   = errors.New("crypto: invalid threshold parameters")
	ErrMalformed       = errors.New("crypto: malformed encoding")
	ErrBadIndex        = errors.New("crypto: share index out of range")
	ErrBadSignature    = errors.New("crypto: signature does not verify")
	ErrNotEnoughShares = errors.New("crypto: not enough valid shares")
)

// Share is one signer's signature share. Index is the signer's index, 1..n; Sig is the
// scheme's encoding of the share (a curve point).
type Share struct {
	Index int
	Sig   []byte
}

// ThresholdPublic is a dealt threshold key as every party knows it: the group public key and
// the public key of every share. Implementations keep their keys parsed and are safe for
// concurrent use.
type ThresholdPublic interface {
	// Scheme is the scheme name, SchemeBN256 or SchemeBLS12381.
	Scheme() string
	// Backend names the library that runs the key: BackendGnark or BackendCircl for
	// SchemeBLS12381, "kyber" for SchemeBN256.
	Backend() string
	// T is the number of shares a signature needs.
	T() int
	// N is the number of signers.
	N() int
	// Verify checks a combined signature over msg under the group key.
	Verify(msg, sig []byte) error
	// VerifyShare checks one share over msg under that share's public key.
	VerifyShare(msg []byte, s Share) error
	// Combine interpolates the first T shares with distinct indices (the rest are ignored)
	// into a group signature. It verifies nothing: see CombineOptimistic.
	Combine(msg []byte, shares []Share) ([]byte, error)
	// MarshalBinary encodes the key for UnmarshalPublic.
	MarshalBinary() ([]byte, error)
}

// ThresholdSigner is one party's secret share of a threshold key.
type ThresholdSigner interface {
	// Index is the signer's share index, 1..n.
	Index() int
	// Sign returns the signer's share over msg.
	Sign(msg []byte) (Share, error)
	// MarshalBinary encodes the secret share for UnmarshalSigner.
	MarshalBinary() ([]byte, error)
}

// Deal creates a fresh (t, n) threshold key: the public part and n signers with indices 1..n.
// With an empty seed the randomness comes from crypto/rand; with a seed the output is a
// deterministic function of (scheme, t, n, seed), so tests and simulations can replay it.
func Deal(scheme string, t, n int, seed []byte) (ThresholdPublic, []ThresholdSigner, error) {
	if t < 1 || n < t || n > MaxParties {
		return nil, nil, fmt.Errorf("%w: t=%d n=%d", ErrInvalidParams, t, n)
	}
	rnd := randomReader(seed, "deal/"+scheme)
	switch scheme {
	case SchemeBN256:
		return dealBN256(t, n, rnd)
	case SchemeBLS12381:
		return dealBLS12381(t, n, rnd)
	default:
		return nil, nil, fmt.Errorf("%w: %q", ErrUnknownScheme, scheme)
	}
}

// UnmarshalPublic decodes a key written by ThresholdPublic.MarshalBinary. It checks that the
// share keys and the group key lie on one polynomial of degree T-1, so a corrupted or mixed-up
// key file is refused here rather than producing certificates nobody accepts.
func UnmarshalPublic(scheme string, b []byte) (ThresholdPublic, error) {
	switch scheme {
	case SchemeBN256:
		return unmarshalPublicBN256(b)
	case SchemeBLS12381:
		return unmarshalPublicBLS12381(b)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownScheme, scheme)
	}
}

// UnmarshalSigner decodes a secret share written by ThresholdSigner.MarshalBinary.
func UnmarshalSigner(scheme string, b []byte) (ThresholdSigner, error) {
	switch scheme {
	case SchemeBN256:
		return unmarshalSignerBN256(b)
	case SchemeBLS12381:
		return unmarshalSignerBLS12381(b)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownScheme, scheme)
	}
}
