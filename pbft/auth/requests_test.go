package auth

import (
	"encoding/binary"
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

func TestRequestCacheEvictsOldestFirst(t *testing.T) {
	a := New(nil, nil)
	const extra = 1000
	fillRequestCache(a, requestRingSize+extra) // keys 0 to extra-1 forgotten
	c := &a.requests
	c.add([][32]byte{counterKey(extra)}) // cached already: keeps its place, evicts nothing
	if len(c.keys) != requestRingSize || len(c.ring) != requestRingSize {
		t.Fatalf("cache holds %d keys in the map, %d in the ring; want %d", len(c.keys), len(c.ring), requestRingSize)
	}
	for _, n := range []uint64{0, 1, extra - 1} {
		if _, ok := c.keys[counterKey(n)]; ok {
			t.Errorf("key %d of the oldest %d still cached", n, extra)
		}
	}
	for _, n := range []uint64{extra, extra + 1, requestRingSize + extra - 1} {
		if _, ok := c.keys[counterKey(n)]; !ok {
			t.Errorf("key %d forgotten", n)
		}
	}
	c.add([][32]byte{counterKey(1 << 40)})
	if _, ok := c.keys[counterKey(extra)]; ok {
		t.Error("the oldest key survived an insertion into the full cache")
	}
	if _, ok := c.keys[counterKey(extra+1)]; !ok {
		t.Error("the second oldest key was evicted before the oldest")
	}
}

func TestRequestCacheStaysBounded(t *testing.T) {
	a := New(nil, nil)
	fillRequestCache(a, 4*requestRingSize)
	if c := &a.requests; len(c.keys) != requestRingSize || cap(c.ring) != requestRingSize {
		t.Errorf("after %d insertions: %d keys, ring capacity %d; want %d",
			4*requestRingSize, len(c.keys), cap(c.ring), requestRingSize)
	}
	// A request stays known for maxCachedRequests later insertions.
	a.requests.add([][32]byte{counterKey(1 << 40)})
	fillRequestCache(a, maxCachedRequests)
	if _, ok := a.requests.keys[counterKey(1<<40)]; !ok {
		t.Errorf("key forgotten within %d insertions", maxCachedRequests)
	}
	a.requests.add([][32]byte{counterKey(1<<40 + 1)})
	if _, ok := a.requests.keys[counterKey(1<<40)]; ok {
		t.Errorf("key still cached after %d insertions", requestRingSize)
	}
}

func TestCachedRequestVouchesForNothingElse(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	a := New(c.keys.Public, nil)
	r, other := c.request("A", 7), c.request("A", 8)
	if err := a.VerifyRequest(&r); err != nil {
		t.Fatal(err)
	}
	otherMsg := r
	otherMsg.Op = []byte("transfer A B 1000")
	otherSig := r
	otherSig.Sig = other.Sig
	for name, forged := range map[string]*pbft.Request{"other message": &otherMsg, "other signature": &otherSig} {
		if err := a.VerifyRequest(forged); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s with a cached request's signature: %v, want ErrBadRequest", name, err)
		}
	}
	// The same bytes under another client key: the cache entry binds the key too.
	c.keys.Public.Clients["A"] = c.keys.Public.Clients["B"]
	if err := a.VerifyRequest(&r); !errors.Is(err, ErrBadRequest) {
		t.Errorf("cached request after its client's key changed: %v, want ErrBadRequest", err)
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

// fillRequestCache makes n insertions of distinct keys into a's verified-request cache, in
// batches, as a replica does under load.
func fillRequestCache(a *Authenticator, n int) {
	batch := make([][32]byte, 0, 1024)
	for i := range n {
		batch = append(batch, counterKey(uint64(i)))
		if len(batch) == cap(batch) || i == n-1 {
			a.requests.add(batch)
			batch = batch[:0]
		}
	}
}

// counterKey is a distinct cache key for each n.
func counterKey(n uint64) [32]byte {
	var k [32]byte
	binary.BigEndian.PutUint64(k[:], n)
	k[31] = 0x5a
	return k
}

// BenchmarkUncached is the work VerifyRequests does besides Ed25519 for a batch of 150 requests
// the replica has not seen (a backup checking a pre-prepare), with the cache full. Each round
// changes the requests' timestamps (uncached does not check signatures), so every lookup is
// of a new key, as in a replica.
func BenchmarkUncached(b *testing.B) {
	keys, reqs := benchRequests(b, 150)
	a := New(keys.Public, nil)
	fillRequestCache(a, 16*maxCachedRequests)
	errs := make([]error, len(reqs))
	for b.Loop() {
		for _, r := range reqs {
			r.Timestamp++
		}
		if p := a.uncached(reqs, errs); len(p) != len(reqs) {
			b.Fatalf("%d pending, want %d", len(p), len(reqs))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(reqs)), "ns/request")
}

// BenchmarkRequestCacheAdd adds batches of 150 new keys to a full verified-request cache.
func BenchmarkRequestCacheAdd(b *testing.B) {
	a := New(nil, nil)
	fillRequestCache(a, 16*maxCachedRequests)
	batch := make([][32]byte, 150)
	n := uint64(1 << 32)
	for b.Loop() {
		for i := range batch {
			batch[i] = counterKey(n)
			n++
		}
		a.requests.add(batch)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/key")
}
