package crypto

import (
	"bytes"
	"testing"

	circl "github.com/cloudflare/circl/ecc/bls12381"
	"github.com/cloudflare/circl/sign/bls"
)

// circlKey returns the circl sign/bls private key holding the same scalar as s.
func circlKey(t *testing.T, s ThresholdSigner) *bls.PrivateKey[bls.KeyG2SigG1] {
	t.Helper()
	enc, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	key := new(bls.PrivateKey[bls.KeyG2SigG1])
	if err := key.UnmarshalBinary(enc[3:]); err != nil {
		t.Fatal(err)
	}
	return key
}

// TestSignMatchesCircl checks that the cached-hash signature is circl's bls.Sign, twice (the
// second time from the cache).
func TestSignMatchesCircl(t *testing.T) {
	_, signers, err := Deal(SchemeBLS12381, 3, 4, []byte("hash-cache"))
	if err != nil {
		t.Fatal(err)
	}
	key := circlKey(t, signers[1])
	for _, msg := range [][]byte{[]byte("one"), []byte("two"), []byte("one")} {
		got, err := signers[1].Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		if want := bls.Sign(key, msg); !bytes.Equal(got.Sig, want) {
			t.Fatalf("%q: signature differs from bls.Sign", msg)
		}
	}
}

// TestHashMatchesCircl checks gnark's hash to G1 against circl's on messages of several
// lengths (RFC 9380 SSWU, random oracle, the scheme's domain).
func TestHashMatchesCircl(t *testing.T) {
	long := bytes.Repeat([]byte("pbft"), 300)
	for _, msg := range [][]byte{nil, {0}, []byte("abc"), long} {
		got, err := hashToG1(msg)
		if err != nil {
			t.Fatal(err)
		}
		var want circl.G1
		want.Hash(msg, []byte(dstBLS12381))
		if b := got.Bytes(); !bytes.Equal(b[:], want.BytesCompressed()) {
			t.Fatalf("hash of %d bytes differs from circl's", len(msg))
		}
	}
}
