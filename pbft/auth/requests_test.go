package auth

import (
	"errors"
	"testing"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

func TestVerifyRequestsFindsTheBadOnes(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	a := New(c.keys.Public, nil)
	var reqs []*pbft.Request
	for i := range 20 {
		r := c.request([]string{"A", "B"}[i%2], uint64(i+1))
		reqs = append(reqs, &r)
	}
	reqs[5].Sig = append([]byte(nil), reqs[5].Sig...)
	reqs[5].Sig[10] ^= 1
	reqs[12].Op = []byte("altered")
	unknown := pbft.Request{Client: "Z", Timestamp: 1, Sig: make([]byte, 64)}
	short := c.request("A", 99)
	short.Sig = short.Sig[:10]
	reqs = append(reqs, &unknown, &short)
	errs := a.VerifyRequests(reqs)
	for i, err := range errs {
		var want error
		switch i {
		case 5, 12, 21:
			want = ErrBadRequest
		case 20:
			want = ErrUnknownUser
		}
		if !errors.Is(err, want) {
			t.Errorf("request %d: %v, want %v", i, err, want)
		}
	}
	// The good ones are cached; the bad ones still fail, alone or in a batch.
	if err := a.VerifyRequest(reqs[5]); !errors.Is(err, ErrBadRequest) {
		t.Errorf("bad request alone: %v", err)
	}
	if err := a.verifyBatch([]pbft.Request{*reqs[0], *reqs[12]}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("batch with a bad request: %v", err)
	}
	if err := a.verifyBatch([]pbft.Request{*reqs[0], *reqs[1], *reqs[2]}); err != nil {
		t.Errorf("good batch: %v", err)
	}
}

func TestVerifiedRequestsAreCached(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	a := New(c.keys.Public, nil)
	r := c.request("A", 7)
	if err := a.VerifyRequest(&r); err != nil {
		t.Fatal(err)
	}
	if p := a.uncached([]*pbft.Request{&r}, make([]error, 1)); len(p) != 0 {
		t.Fatalf("verified request not cached: %d pending", len(p))
	}
	other := c.request("A", 8)
	if p := a.uncached([]*pbft.Request{&other}, make([]error, 1)); len(p) != 1 {
		t.Fatal("an unverified request counted as cached")
	}
}

func BenchmarkVerifyBatch(b *testing.B) {
	keys, _ := crypto.DealCluster(crypto.SchemeBLS12381, 4, 1, []byte("bench"))
	names := make([]string, 128)
	for i := range names {
		names[i] = string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	keys.AddClients([]byte("bench"), names...)
	batch := make([]pbft.Request, len(names))
	for i, n := range names {
		batch[i] = pbft.Request{Client: pbft.ClientID(n), Timestamp: 1, Op: []byte("op")}
		SignRequest(keys.Clients[n], &batch[i])
	}
	for b.Loop() {
		a := New(keys.Public, nil) // empty cache
		if err := a.verifyBatch(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/request")
}
