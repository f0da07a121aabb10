package crypto

import (
	"bytes"
	"testing"

	"github.com/cloudflare/circl/sign/bls"
)

// TestSignMatchesCircl checks that the cached-hash signature is circl's bls.Sign, twice (the
// second time from the cache).
func TestSignMatchesCircl(t *testing.T) {
	_, signers, err := Deal(SchemeBLS12381, 3, 4, []byte("hash-cache"))
	if err != nil {
		t.Fatal(err)
	}
	s := signers[1].(*blsSigner)
	for _, msg := range [][]byte{[]byte("one"), []byte("two"), []byte("one")} {
		got, err := s.Sign(msg)
		if err != nil {
			t.Fatal(err)
		}
		if want := bls.Sign(s.key, msg); !bytes.Equal(got.Sig, want) {
			t.Fatalf("%q: signature differs from bls.Sign", msg)
		}
	}
}
