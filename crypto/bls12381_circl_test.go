package crypto

import (
	"bytes"
	"testing"

	circl "github.com/cloudflare/circl/ecc/bls12381"
	"github.com/cloudflare/circl/sign/bls"
)

// These tests hold the gnark backend to circl's own dealer and sign/bls package (not to this
// package's circl backend, which backend_test.go checks against gnark): the scheme moved
// from circl to gnark-crypto without changing a byte of its keys, shares or signatures.

// dealCirclReference is the circl dealer this package used before gnark-crypto, kept as a
// reference: it returns the encoded public key and every encoded secret share.
func dealCirclReference(t *testing.T, th, n int, seed []byte) (pub []byte, shares [][]byte) {
	t.Helper()
	rnd := randomReader(seed, "deal/"+SchemeBLS12381)
	coeffs := make([]circl.Scalar, th)
	for i := range coeffs {
		if err := coeffs[i].Random(rnd); err != nil {
			t.Fatal(err)
		}
	}
	keys := make([][]byte, n+1)
	for i := 0; i <= n; i++ {
		var x, xs circl.Scalar
		xs.SetUint64(uint64(i))
		for j := th - 1; j >= 0; j-- {
			x.Mul(&x, &xs)
			x.Add(&x, &coeffs[j])
		}
		var p circl.G2
		p.ScalarMult(&x, circl.G2Generator())
		keys[i] = p.BytesCompressed()
		if i > 0 {
			b, err := x.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			shares = append(shares, encodeSigner(tagBLS12381, i, b))
		}
	}
	return encodePublic(tagBLS12381, th, keys), shares
}

// TestDealMatchesCircl checks that a seeded deal gives exactly the keys the circl dealer gave,
// so key directories dealt from a seed before the move come out the same.
func TestDealMatchesCircl(t *testing.T) {
	for _, c := range []struct{ t, n int }{{5, 7}, {7, 7}, {1, 1}, {3, 4}} {
		seed := []byte("reference deal")
		pub, signers, err := Deal(SchemeBLS12381, c.t, c.n, seed)
		if err != nil {
			t.Fatal(err)
		}
		wantPub, wantShares := dealCirclReference(t, c.t, c.n, seed)
		if got, _ := pub.MarshalBinary(); !bytes.Equal(got, wantPub) {
			t.Fatalf("t=%d n=%d: public key differs from circl's deal", c.t, c.n)
		}
		for i, s := range signers {
			if got, _ := s.MarshalBinary(); !bytes.Equal(got, wantShares[i]) {
				t.Fatalf("t=%d n=%d: share %d differs from circl's deal", c.t, c.n, i+1)
			}
		}
	}
}

// circlPublicKey parses key i (0 = group key) of pub with circl.
func circlPublicKey(t *testing.T, pub ThresholdPublic, i int) *bls.PublicKey[bls.KeyG2SigG1] {
	t.Helper()
	raw := pub.(*blsPublic).raw[5+i*blsKeySize : 5+(i+1)*blsKeySize]
	pk := new(bls.PublicKey[bls.KeyG2SigG1])
	if err := pk.UnmarshalBinary(raw); err != nil {
		t.Fatal(err)
	}
	if again, _ := pk.MarshalBinary(); !bytes.Equal(again, raw) {
		t.Fatalf("key %d: circl re-encodes it differently", i)
	}
	return pk
}

// TestSignaturesInteropWithCircl checks both directions for T = 5 and T = n: circl verifies
// every share and combined signature this package makes, and this package verifies and
// combines shares made by circl's bls.Sign into the same signature.
func TestSignaturesInteropWithCircl(t *testing.T) {
	for _, th := range []int{5, testN} {
		d := deal(t, SchemeBLS12381, th)
		ours := d.sharesOver(t, msg1)
		var theirs []Share
		for i, s := range d.signers {
			pk := circlPublicKey(t, d.pub, i+1)
			if !bls.Verify(pk, msg1, ours[i].Sig) || bls.Verify(pk, msg2, ours[i].Sig) {
				t.Fatalf("T=%d share %d: circl's verdict differs", th, i+1)
			}
			sig := bls.Sign(circlKey(t, s), msg1)
			if err := d.pub.VerifyShare(msg1, Share{Index: i + 1, Sig: sig}); err != nil {
				t.Fatalf("T=%d share %d signed by circl: %v", th, i+1, err)
			}
			theirs = append(theirs, Share{Index: i + 1, Sig: sig})
		}
		ourSig, _, err := CombineOptimistic(d.pub, msg1, ours)
		if err != nil {
			t.Fatal(err)
		}
		theirSig, _, err := CombineOptimistic(d.pub, msg1, reversed(theirs))
		if err != nil || !bytes.Equal(ourSig, theirSig) {
			t.Fatalf("T=%d: circl's shares combine differently (err %v)", th, err)
		}
		if group := circlPublicKey(t, d.pub, 0); !bls.Verify(group, msg1, ourSig) || bls.Verify(group, msg2, ourSig) {
			t.Fatalf("T=%d: circl's verdict on the combined signature differs", th)
		}
	}
}
