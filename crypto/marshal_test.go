package crypto

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cloudflare/circl/sign/bls"
	"go.dedis.ch/kyber/v3/pairing/bn256"
	"go.dedis.ch/kyber/v3/share"
	"go.dedis.ch/kyber/v3/sign/tbls"
)

func marshalAll(t *testing.T, pub ThresholdPublic, signers []ThresholdSigner) [][]byte {
	t.Helper()
	out := make([][]byte, 0, len(signers)+1)
	b, err := pub.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, b)
	for _, s := range signers {
		if b, err = s.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestDealDeterministic(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		dealBytes := func(seed []byte) [][]byte {
			pub, signers, err := dealOn(scheme, 3, 4, seed)
			if err != nil {
				t.Fatal(err)
			}
			return marshalAll(t, pub, signers)
		}
		a, b := dealBytes([]byte("seed-1")), dealBytes([]byte("seed-1"))
		for i := range a {
			if !bytes.Equal(a[i], b[i]) {
				t.Fatalf("same seed, key %d differs", i)
			}
		}
		if bytes.Equal(a[0], dealBytes([]byte("seed-2"))[0]) {
			t.Fatal("different seeds gave the same key")
		}
		if bytes.Equal(dealBytes(nil)[0], dealBytes(nil)[0]) {
			t.Fatal("two crypto/rand deals gave the same key")
		}
	})
}

func TestDealParams(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		for _, c := range []struct{ t, n int }{{0, 4}, {5, 4}, {-1, 4}, {1, MaxParties + 1}} {
			if _, _, err := dealOn(scheme, c.t, c.n, nil); !errors.Is(err, ErrInvalidParams) {
				t.Errorf("Deal(t=%d, n=%d): %v, want ErrInvalidParams", c.t, c.n, err)
			}
		}
		pub, signers, err := dealOn(scheme, 1, 1, []byte("one"))
		if err != nil {
			t.Fatal(err)
		}
		sh, _ := signers[0].Sign(msg1)
		if _, _, err := CombineOptimistic(pub, msg1, []Share{sh}); err != nil {
			t.Fatalf("1 of 1: %v", err)
		}
	})
	if _, _, err := Deal("rsa", 1, 1, nil); !errors.Is(err, ErrUnknownScheme) {
		t.Errorf("unknown scheme: %v", err)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		d := deal(t, scheme, 5)
		enc := marshalAll(t, d.pub, d.signers)
		pub, err := unmarshalPublicOf(scheme, enc[0])
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := pub.MarshalBinary(); !bytes.Equal(again, enc[0]) || pub.T() != 5 || pub.N() != testN || pub.Scheme() != schemeOf(scheme) {
			t.Fatal("public key changed in a round trip")
		}
		var shares []Share
		for i, b := range enc[1:] {
			s, err := unmarshalSignerOf(scheme, b)
			if err != nil {
				t.Fatal(err)
			}
			sh, _ := s.Sign(msg1)
			orig, _ := d.signers[i].Sign(msg1)
			if s.Index() != i+1 || !bytes.Equal(sh.Sig, orig.Sig) {
				t.Fatalf("signer %d changed in a round trip", i+1)
			}
			shares = append(shares, sh)
		}
		sig, _, err := CombineOptimistic(pub, msg1, shares)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.pub.Verify(msg1, sig); err != nil {
			t.Fatalf("original key rejects the signature of the decoded keys: %v", err)
		}
	})
}

func TestUnmarshalRejects(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		d := deal(t, scheme, 5)
		enc := marshalAll(t, d.pub, d.signers)
		other := SchemeBN256
		if scheme == SchemeBN256 {
			other = SchemeBLS12381
		}
		keySize := (len(enc[0]) - 5) / (testN + 1)
		swapped := append([]byte(nil), enc[0]...)
		copy(swapped[5+keySize:5+2*keySize], enc[0][5+2*keySize:5+3*keySize]) // share 1 := share 2
		otherDeal := deal(t, scheme, testN)
		otherEnc, _ := otherDeal.pub.MarshalBinary()
		mixed := append(append([]byte(nil), enc[0][:5+keySize]...), otherEnc[5+keySize:]...)
		zeroScalar := append([]byte(nil), enc[1]...)
		clear(zeroScalar[3:])
		cases := []struct {
			name   string
			public bool
			b      []byte
			scheme string
		}{
			{"public, other scheme", true, enc[0], other},
			{"public, truncated", true, enc[0][:len(enc[0])-1], scheme},
			{"public, extra byte", true, append(append([]byte(nil), enc[0]...), 0), scheme},
			{"public, share keys off the polynomial", true, swapped, scheme},
			{"public, group key of another deal", true, mixed, scheme},
			{"public, empty", true, nil, scheme},
			{"signer, other scheme", false, enc[1], other},
			{"signer, truncated", false, enc[1][:len(enc[1])-1], scheme},
			{"signer, zero scalar", false, zeroScalar, scheme},
			{"signer, index zero", false, append([]byte{enc[1][0], 0, 0}, enc[1][3:]...), scheme},
			{"signer, scalar ≥ order", false, append(append([]byte(nil), enc[1][:3]...), bytes.Repeat([]byte{0xff}, 32)...), scheme},
		}
		for _, c := range cases {
			var err error
			if c.public {
				_, err = unmarshalPublicOf(c.scheme, c.b)
			} else {
				_, err = unmarshalSignerOf(c.scheme, c.b)
			}
			if err == nil {
				t.Errorf("%s: accepted", c.name)
			}
		}
	})
}

// TestLibraryInterop checks that the combined signatures are ordinary signatures of the
// underlying libraries: circl's bls.Verify accepts them, and kyber's tbls.Recover (which
// verifies every share and interpolates by itself) produces the same bytes.
func TestLibraryInterop(t *testing.T) {
	d := deal(t, SchemeBLS12381, 5)
	sig, err := d.pub.Combine(msg1, d.sharesOver(t, msg1))
	if err != nil {
		t.Fatal(err)
	}
	var pk bls.PublicKey[bls.KeyG2SigG1]
	if err := pk.UnmarshalBinary(d.pub.(*blsPublic).raw[5 : 5+blsKeySize]); err != nil {
		t.Fatal(err)
	}
	if !bls.Verify(&pk, msg1, sig) || bls.Verify(&pk, msg2, sig) {
		t.Fatal("circl bls.Verify disagrees with Verify")
	}

	kd := deal(t, SchemeBN256, 5)
	kpub := kd.pub.(*bnPublic)
	suite := bn256.NewSuite()
	var pubShares []*share.PubShare
	for i, k := range kpub.shares {
		pubShares = append(pubShares, &share.PubShare{I: i, V: k})
	}
	poly, err := share.RecoverPubPoly(suite.G2(), pubShares, 5, testN)
	if err != nil {
		t.Fatal(err)
	}
	var tshares [][]byte
	for _, sh := range kd.sharesOver(t, msg1) {
		tshares = append(tshares, append([]byte{0, byte(sh.Index - 1)}, sh.Sig...))
	}
	want, err := tbls.Recover(suite, poly, msg1, tshares, 5, testN)
	if err != nil {
		t.Fatal(err)
	}
	got, err := kd.pub.Combine(msg1, kd.sharesOver(t, msg1))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Combine differs from tbls.Recover (err %v)", err)
	}
}
