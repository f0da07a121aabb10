package crypto

import (
	"fmt"
	"io"

	GG "github.com/cloudflare/circl/ecc/bls12381"
	"github.com/cloudflare/circl/sign/bls"
)

// dstBLS12381 is the hash-to-G1 domain of the IETF BLS draft's basic scheme with keys in G2,
// the one circl's sign/bls uses, so a combined signature also verifies with bls.Verify.
const dstBLS12381 = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"

// Encoded sizes for the BLS12-381 scheme.
const (
	blsKeySize    = GG.G2SizeCompressed // 96
	blsSigSize    = GG.G1SizeCompressed // 48
	blsScalarSize = GG.ScalarSize       // 32
)

// blsPublic is a BLS12-381 threshold key with every point parsed once, at construction.
type blsPublic struct {
	t, n   int
	group  GG.G2
	shares []GG.G2 // shares[i-1] belongs to index i
	raw    []byte
	plans  *planCache[blsPlan]
}

// blsSigner holds one secret share as a circl sign/bls private key, and its scalar.
type blsSigner struct {
	index  int
	key    *bls.PrivateKey[bls.KeyG2SigG1]
	scalar GG.Scalar
}

// dealBLS12381 samples a random polynomial of degree t-1 over the BLS12-381 scalar field
// (Shamir sharing of its constant term) and publishes x·G2 for the secret and every share.
func dealBLS12381(t, n int, rnd io.Reader) (ThresholdPublic, []ThresholdSigner, error) {
	coeffs := make([]GG.Scalar, t)
	for i := range coeffs {
		if err := coeffs[i].Random(rnd); err != nil {
			return nil, nil, fmt.Errorf("crypto: dealing: %w", err)
		}
	}
	keys := make([][]byte, n+1)
	keys[0] = blsPublicKeyBytes(&coeffs[0])
	signers := make([]ThresholdSigner, n)
	for i := 1; i <= n; i++ {
		x := evalPolyBLS12381(coeffs, i)
		keys[i] = blsPublicKeyBytes(&x)
		s, err := newBLSSigner(i, &x)
		if err != nil {
			return nil, nil, err
		}
		signers[i-1] = s
	}
	pub, err := newBLSPublic(t, keys)
	if err != nil {
		return nil, nil, err
	}
	return pub, signers, nil
}

// evalPolyBLS12381 evaluates the polynomial with the given coefficients at x (Horner).
func evalPolyBLS12381(coeffs []GG.Scalar, x int) GG.Scalar {
	var xs, v GG.Scalar
	xs.SetUint64(uint64(x))
	for j := len(coeffs) - 1; j >= 0; j-- {
		v.Mul(&v, &xs)
		v.Add(&v, &coeffs[j])
	}
	return v
}

func blsPublicKeyBytes(x *GG.Scalar) []byte {
	var p GG.G2
	p.ScalarMult(x, GG.G2Generator())
	return p.BytesCompressed()
}

func newBLSSigner(index int, x *GG.Scalar) (*blsSigner, error) {
	b, err := x.MarshalBinary()
	if err != nil {
		return nil, err
	}
	key := new(bls.PrivateKey[bls.KeyG2SigG1])
	if err := key.UnmarshalBinary(b); err != nil { // rejects a zero share
		return nil, fmt.Errorf("%w: secret share: %v", ErrMalformed, err)
	}
	return &blsSigner{index: index, key: key, scalar: *x}, nil
}

// newBLSPublic parses keys (group key first, then shares 1..n). Parsing decompresses each
// point and checks it lies in G2, so the hot path never touches an unchecked key.
func newBLSPublic(t int, keys [][]byte) (*blsPublic, error) {
	pub := &blsPublic{t: t, n: len(keys) - 1, shares: make([]GG.G2, len(keys)-1)}
	pub.plans = newPlanCache(newBLSPlan)
	for i, k := range keys {
		p := &pub.group
		if i > 0 {
			p = &pub.shares[i-1]
		}
		if err := p.SetBytes(k); err != nil || p.IsIdentity() {
			return nil, fmt.Errorf("%w: public key %d is not a G2 point", ErrMalformed, i)
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
	var x GG.Scalar
	if err := x.UnmarshalBinary(scalar); err != nil {
		return nil, fmt.Errorf("%w: secret share: %v", ErrMalformed, err)
	}
	return newBLSSigner(index, &x)
}
