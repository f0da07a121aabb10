package crypto

import (
	"encoding/binary"
	"fmt"
)

// Scheme tags, the first byte of every encoded threshold key, so that a key of one scheme is
// never read as the other.
const (
	tagBN256    byte = 1
	tagBLS12381 byte = 2
)

// encodePublic lays out a public key as: tag, t (uint16), n (uint16), then the group key and
// the n share keys in index order, each keySize bytes, all big-endian.
func encodePublic(tag byte, t int, keys [][]byte) []byte {
	n := len(keys) - 1
	b := make([]byte, 0, 5+len(keys)*len(keys[0]))
	b = append(b, tag)
	b = binary.BigEndian.AppendUint16(b, uint16(t))
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	for _, k := range keys {
		b = append(b, k...)
	}
	return b
}

// decodePublic splits an encodePublic layout back into t and keys[0..n] (group key first).
func decodePublic(tag byte, keySize int, b []byte) (t int, keys [][]byte, err error) {
	if len(b) < 5 || b[0] != tag {
		return 0, nil, fmt.Errorf("%w: public key header", ErrMalformed)
	}
	t = int(binary.BigEndian.Uint16(b[1:]))
	n := int(binary.BigEndian.Uint16(b[3:]))
	if t < 1 || n < t || n > MaxParties {
		return 0, nil, fmt.Errorf("%w: t=%d n=%d", ErrInvalidParams, t, n)
	}
	body := b[5:]
	if len(body) != (n+1)*keySize {
		return 0, nil, fmt.Errorf("%w: public key length %d, want %d", ErrMalformed, len(body), (n+1)*keySize)
	}
	keys = make([][]byte, n+1)
	for i := range keys {
		keys[i] = body[i*keySize : (i+1)*keySize]
	}
	return t, keys, nil
}

// encodeSigner lays out a secret share as: tag, index (uint16), scalar.
func encodeSigner(tag byte, index int, scalar []byte) []byte {
	b := make([]byte, 0, 3+len(scalar))
	b = append(b, tag)
	b = binary.BigEndian.AppendUint16(b, uint16(index))
	return append(b, scalar...)
}

// decodeSigner splits an encodeSigner layout back into the index and the scalar bytes.
func decodeSigner(tag byte, scalarSize int, b []byte) (index int, scalar []byte, err error) {
	if len(b) != 3+scalarSize || b[0] != tag {
		return 0, nil, fmt.Errorf("%w: secret share", ErrMalformed)
	}
	index = int(binary.BigEndian.Uint16(b[1:]))
	if index < 1 || index > MaxParties {
		return 0, nil, fmt.Errorf("%w: secret share index %d", ErrBadIndex, index)
	}
	return index, b[3:], nil
}
