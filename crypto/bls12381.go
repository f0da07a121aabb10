package crypto

import (
	"crypto/rand"
	"fmt"
	"io"
	"math/big"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// dstBLS12381 is the hash-to-G1 domain of the IETF BLS draft's basic scheme with keys in G2,
// the one circl's sign/bls uses, so a combined signature also verifies with circl's bls.Verify.
const dstBLS12381 = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"

// Encoded sizes for the BLS12-381 scheme: compressed points in the zcash/IETF format and
// big-endian scalars, the encodings circl used before the move to gnark-crypto.
const (
	blsKeySize    = bls.SizeOfG2AffineCompressed // 96
	blsSigSize    = bls.SizeOfG1AffineCompressed // 48
	blsScalarSize = fr.Bytes                     // 32
)

// blsPublic is a BLS12-381 threshold key with every point parsed and checked once, at
// construction. The Miller-loop lines of each key are computed on its first verification.
type blsPublic struct {
	t, n       int
	group      bls.G2Affine
	shares     []bls.G2Affine // shares[i-1] belongs to index i
	groupLines lazyLines
	shareLines []lazyLines // shareLines[i-1] are the lines of shares[i-1]
	raw        []byte
	plans      *planCache[blsPlan]
}

// blsSigner holds one non-zero secret share.
type blsSigner struct {
	index  int
	scalar fr.Element
	secret *big.Int // scalar as the big.Int gnark's scalar multiplication takes
}

// dealBLS12381 samples a random polynomial of degree t-1 over the BLS12-381 scalar field
// (Shamir sharing of its constant term) and publishes x·G2 for the secret and every share.
func dealBLS12381(t, n int, rnd io.Reader) (ThresholdPublic, []ThresholdSigner, error) {
	coeffs := make([]fr.Element, t)
	for i := range coeffs {
		v, err := randomCoefficient(rnd)
		if err != nil {
			return nil, nil, fmt.Errorf("crypto: dealing: %w", err)
		}
		coeffs[i] = v
	}
	keys := make([][]byte, n+1)
	keys[0] = blsPublicKeyBytes(&coeffs[0])
	signers := make([]ThresholdSigner, n)
	for i := 1; i <= n; i++ {
		x := evalPolyBLS12381(coeffs, i)
		s, err := newBLSSigner(i, &x)
		if err != nil {
			return nil, nil, err
		}
		keys[i] = blsPublicKeyBytes(&x)
		signers[i-1] = s
	}
	pub, err := newBLSPublic(t, keys)
	if err != nil {
		return nil, nil, err
	}
	return pub, signers, nil
}

// montgomeryRInv is 2⁻²⁵⁶ mod r, the inverse of the Montgomery radix of the scalar field.
var montgomeryRInv = new(big.Int).ModInverse(new(big.Int).Lsh(big.NewInt(1), 256), fr.Modulus())

// randomCoefficient draws a uniform scalar the way circl's Scalar.Random did, so that a seed
// deals the same keys as before the move to gnark-crypto: crypto/rand.Int below the group
// order r, taken as the scalar's Montgomery form, i.e. the scalar v·2⁻²⁵⁶ mod r (uniform too).
func randomCoefficient(rnd io.Reader) (fr.Element, error) {
	var s fr.Element
	v, err := rand.Int(rnd, fr.Modulus())
	if err != nil {
		return s, err
	}
	s.SetBigInt(v.Mul(v, montgomeryRInv))
	return s, nil
}

// evalPolyBLS12381 evaluates the polynomial with the given coefficients at x (Horner).
func evalPolyBLS12381(coeffs []fr.Element, x int) fr.Element {
	var xs, v fr.Element
	xs.SetUint64(uint64(x))
	for j := len(coeffs) - 1; j >= 0; j-- {
		v.Mul(&v, &xs)
		v.Add(&v, &coeffs[j])
	}
	return v
}

// blsPublicKeyBytes returns x·G2, compressed. gnark's scalar multiplication is not constant
// time; the dealer runs once, offline.
func blsPublicKeyBytes(x *fr.Element) []byte {
	var p bls.G2Affine
	p.ScalarMultiplicationBase(x.BigInt(new(big.Int)))
	b := p.Bytes()
	return b[:]
}

func newBLSSigner(index int, x *fr.Element) (*blsSigner, error) {
	if x.IsZero() {
		return nil, fmt.Errorf("%w: secret share is zero", ErrMalformed)
	}
	return &blsSigner{index: index, scalar: *x, secret: x.BigInt(new(big.Int))}, nil
}

// newBLSPublic parses keys (group key first, then shares 1..n). Parsing decompresses each
// point and checks it lies in G2, so the hot path never touches an unchecked key.
func newBLSPublic(t int, keys [][]byte) (*blsPublic, error) {
	n := len(keys) - 1
	pub := &blsPublic{t: t, n: n, shares: make([]bls.G2Affine, n), shareLines: make([]lazyLines, n)}
	pub.plans = newPlanCache(newBLSPlan)
	for i, k := range keys {
		p := &pub.group
		if i > 0 {
			p = &pub.shares[i-1]
		}
		if err := parseG2Key(p, k); err != nil {
			return nil, fmt.Errorf("public key %d: %w", i, err)
		}
	}
	pub.raw = encodePublic(tagBLS12381, t, keys)
	return pub, nil
}

func unmarshalPublicBLS12381(b []byte) (ThresholdPublic, error) {
	t, keys, err := decodePublic(tagBLS12381, blsKeySize, b)
	if err != nil {
		return nil, err
	}
	pub, err := newBLSPublic(t, keys)
	if err != nil {
		return nil, err
	}
	if err := pub.checkConsistent(); err != nil {
		return nil, err
	}
	return pub, nil
}

func unmarshalSignerBLS12381(b []byte) (ThresholdSigner, error) {
	index, scalar, err := decodeSigner(tagBLS12381, blsScalarSize, b)
	if err != nil {
		return nil, err
	}
	var x fr.Element
	if err := x.SetBytesCanonical(scalar); err != nil {
		return nil, fmt.Errorf("%w: secret share: %v", ErrMalformed, err)
	}
	return newBLSSigner(index, &x)
}
