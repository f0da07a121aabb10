package auth

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

func TestAuthenticatorsShareExpandedKeys(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	verifier := New(c.keys.Public, nil)
	client, err := NewClient(c.keys.Public, "A", c.keys.Clients["A"])
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range c.keys.Public.Clients {
		e, ok := verifier.clientKey(name)
		if !ok || e.Key() != key || !e.Valid() {
			t.Fatalf("client %s: expanded key %v, want %v", name, e.Key(), key)
		}
		if again, _ := client.clientKey(name); again != e {
			t.Fatalf("client %s: expanded twice for two authenticators of one cluster", name)
		}
	}
	r3, _ := c.auths[2].replicaKey(3)
	if mine, _ := verifier.replicaKey(3); mine != r3 || r3.Key() != c.keys.Public.Replicas[2] {
		t.Fatal("replica n3's key expanded twice, or wrongly")
	}

	// A client added later is expanded when first used, by old and new authenticators.
	if err := c.keys.AddClients([]byte("later"), "C"); err != nil {
		t.Fatal(err)
	}
	r := c.request("C", 1)
	if err := verifier.VerifyRequest(&r); err != nil {
		t.Fatalf("old authenticator, new client: %v", err)
	}
	if err := New(c.keys.Public, nil).VerifyRequest(&r); err != nil {
		t.Fatalf("new authenticator, new client: %v", err)
	}
}

func TestClientKeyNotAPointRefusesWithoutPanic(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	var bad crypto.VerifyKey
	bad[0] = 2 // y = 2 has no x on the curve
	c.keys.Public.Clients["Z"] = bad
	a := New(c.keys.Public, nil)
	if z, _ := a.clientKey("Z"); z.Valid() {
		t.Fatal("key y=2 expanded as a point")
	}
	good := c.request("A", 1)
	forged := pbft.Request{Client: "Z", Timestamp: 1, Op: []byte("op"), Sig: good.Sig}
	errs := a.VerifyRequests([]*pbft.Request{&good, &forged})
	if errs[0] != nil || !errors.Is(errs[1], ErrBadRequest) {
		t.Fatalf("errors %v, want [nil ErrBadRequest]", errs)
	}
}

// TestZIP215RequestsAcceptedAloneAndInBatches uses a client whose key is a point of order 8
// and the signature (R of small order, S = 0), which ZIP-215 accepts for every message (and
// crypto/ed25519 rejects for most), and the same with S = ℓ, which every rule rejects. Each
// must get the same answer alone and in a batch of good requests.
func TestZIP215RequestsAcceptedAloneAndInBatches(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	smallOrder, _ := hex.DecodeString("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
	order, _ := hex.DecodeString("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
	c.keys.Public.Clients["T"] = crypto.VerifyKey(smallOrder)
	edge := func(ts uint64, s []byte) pbft.Request {
		return pbft.Request{Client: "T", Timestamp: ts, Op: []byte("op"),
			Sig: append(append([]byte(nil), smallOrder...), s...)}
	}
	valid, invalid := edge(1, make([]byte, 32)), edge(2, order)
	for _, tc := range []struct {
		name string
		req  pbft.Request
		want error
	}{{"S = 0", valid, nil}, {"S = ℓ", invalid, ErrBadRequest}} {
		if err := New(c.keys.Public, nil).VerifyRequest(&tc.req); !errors.Is(err, tc.want) {
			t.Errorf("%s alone: %v, want %v", tc.name, err, tc.want)
		}
		reqs := []*pbft.Request{ptr(c.request("A", 1)), &tc.req, ptr(c.request("B", 1))}
		errs := New(c.keys.Public, nil).VerifyRequests(reqs)
		if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], tc.want) {
			t.Errorf("%s in a batch: %v, want [nil %v nil]", tc.name, errs, tc.want)
		}
	}
}

func ptr(r pbft.Request) *pbft.Request { return &r }

func TestFrameFromUnknownReplicaRefused(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	frame, err := c.auths[2].Seal(&pbft.Status{View: 1})
	if err != nil {
		t.Fatal(err)
	}
	short := *c.keys.Public
	short.Replicas = short.Replicas[:2] // n3 missing from the key list
	if _, _, err := New(&short, nil).Open(frame); !errors.Is(err, ErrBadSender) {
		t.Fatalf("frame of a replica without a key: %v, want ErrBadSender", err)
	}
	if _, _, err := New(c.keys.Public, nil).Open(frame); err != nil {
		t.Fatalf("honest frame refused: %v", err)
	}
}
