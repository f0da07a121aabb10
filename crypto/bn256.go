package crypto

import (
	"fmt"
	"io"

	"go.dedis.ch/kyber/v3"
	"go.dedis.ch/kyber/v3/pairing/bn256"
	"go.dedis.ch/kyber/v3/share"
)

// Encoded sizes for the bn256 scheme (kyber's uncompressed point encodings).
const (
	bnKeySize    = 128 // G2
	bnSigSize    = 64  // G1
	bnScalarSize = 32
)

// bnPublic is a kyber tbls key over bn256 (keys in G2, signatures in G1) with every point
// parsed once, at construction.
type bnPublic struct {
	suite  *bn256.Suite
	t, n   int
	group  kyber.Point
	shares []kyber.Point // shares[i-1] belongs to index i
	raw    []byte
	plans  *planCache[bnPlan]
}

// bnSigner is one kyber share.PriShare (kyber indices are 0-based: I = Index-1).
type bnSigner struct {
	suite *bn256.Suite
	pri   *share.PriShare
}

// dealBN256 Shamir-shares a random secret with kyber's share.PriPoly and publishes x·G2 for
// the secret and every share.
func dealBN256(t, n int, rnd io.Reader) (ThresholdPublic, []ThresholdSigner, error) {
	suite := bn256.NewSuite()
	poly := share.NewPriPoly(suite.G2(), t, nil, readerStream{rnd})
	keys := make([][]byte, n+1)
	var err error
	if keys[0], err = suite.G2().Point().Mul(poly.Secret(), nil).MarshalBinary(); err != nil {
		return nil, nil, err
	}
	signers := make([]ThresholdSigner, n)
	for i, pri := range poly.Shares(n) {
		if pri.V.Equal(suite.G2().Scalar().Zero()) {
			return nil, nil, fmt.Errorf("crypto: dealing: zero secret share")
		}
		if keys[i+1], err = suite.G2().Point().Mul(pri.V, nil).MarshalBinary(); err != nil {
			return nil, nil, err
		}
		signers[i] = &bnSigner{suite: suite, pri: pri}
	}
	pub, err := newBNPublic(suite, t, keys)
	if err != nil {
		return nil, nil, err
	}
	return pub, signers, nil
}

// newBNPublic parses keys (group key first, then shares 1..n).
func newBNPublic(suite *bn256.Suite, t int, keys [][]byte) (*bnPublic, error) {
	pub := &bnPublic{suite: suite, t: t, n: len(keys) - 1, shares: make([]kyber.Point, len(keys)-1)}
	pub.plans = newPlanCache(bnField{suite.G1()}.plan)
	for i, k := range keys {
		p := suite.G2().Point()
		if err := p.UnmarshalBinary(k); err != nil || p.Equal(suite.G2().Point().Null()) {
			return nil, fmt.Errorf("%w: public key %d is not a G2 point", ErrMalformed, i)
		}
		if i == 0 {
			pub.group = p
		} else {
			pub.shares[i-1] = p
		}
	}
	pub.raw = encodePublic(tagBN256, t, keys)
	return pub, nil
}

func unmarshalPublicBN256(b []byte) (ThresholdPublic, error) {
	t, keys, err := decodePublic(tagBN256, bnKeySize, b)
	if err != nil {
		return nil, err
	}
	pub, err := newBNPublic(bn256.NewSuite(), t, keys)
	if err != nil {
		return nil, err
	}
	if err := pub.checkConsistent(); err != nil {
		return nil, err
	}
	return pub, nil
}

func unmarshalSignerBN256(b []byte) (ThresholdSigner, error) {
	index, scalar, err := decodeSigner(tagBN256, bnScalarSize, b)
	if err != nil {
		return nil, err
	}
	suite := bn256.NewSuite()
	v := suite.G2().Scalar()
	if err := v.UnmarshalBinary(scalar); err != nil || v.Equal(suite.G2().Scalar().Zero()) {
		return nil, fmt.Errorf("%w: secret share scalar", ErrMalformed)
	}
	return &bnSigner{suite: suite, pri: &share.PriShare{I: index - 1, V: v}}, nil
}
