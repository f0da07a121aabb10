package auth

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
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
	if p := a.uncached(new(requestScratch), []*pbft.Request{&r}, make([]error, 1)); len(p) != 0 {
		t.Fatalf("verified request not cached: %d pending", len(p))
	}
	other := c.request("A", 8)
	if p := a.uncached(new(requestScratch), []*pbft.Request{&other}, make([]error, 1)); len(p) != 1 {
		t.Fatal("an unverified request counted as cached")
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

// BenchmarkUncached is the work VerifyRequests does besides Ed25519 for a batch of 150 requests
// the replica has not seen (a backup checking a pre-prepare), with the cache full. Each round
// changes the requests' timestamps (uncached does not check signatures), so every lookup is
// of a new key, as in a replica. One scratch serves every round, as the pool's do.
func BenchmarkUncached(b *testing.B) {
	keys, reqs := benchRequests(b, 150)
	a := New(keys.Public, nil)
	fillRequestCache(a, 4*maxCachedRequests)
	errs := make([]error, len(reqs))
	s := new(requestScratch)
	a.uncached(s, reqs, errs) // expands the client keys, as a running replica has
	for b.Loop() {
		for _, r := range reqs {
			r.Timestamp++
		}
		if p := a.uncached(s, reqs, errs); len(p) != len(reqs) {
			b.Fatalf("%d pending, want %d", len(p), len(reqs))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(reqs)), "ns/request")
}

// TestLargeScratchIsNotPooled checks that a scratch a large batch grew is dropped, and that
// release drops the references a pooled one held.
func TestLargeScratchIsNotPooled(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	a := New(c.keys.Public, nil)
	r := c.request("A", 1)
	s := &requestScratch{batch: crypto.NewEd25519Batch(0)}
	s.reqs = append(s.reqs, &r)
	if err := a.firstError(s); err != nil || !s.poolable() {
		t.Fatalf("one request: %v, poolable %v", err, s.poolable())
	}
	s.release()
	if len(s.reqs) != 0 || s.pending[:1][0].key != nil || s.pending[0].sig != nil || s.batch.Len() != 0 {
		t.Error("a released scratch still refers to its requests")
	}
	many := make([]*pbft.Request, maxPooledRequests+1)
	for i := range many {
		many[i] = &r
	}
	s = &requestScratch{batch: crypto.NewEd25519Batch(0)}
	a.uncached(s, many, make([]error, len(many)))
	if s.poolable() {
		t.Errorf("a scratch for %d requests is pooled", len(many))
	}
	s = &requestScratch{batch: crypto.NewEd25519Batch(0)}
	big := r
	big.Op = make([]byte, maxPooledInput)
	a.uncached(s, []*pbft.Request{&big}, make([]error, 1))
	if s.poolable() {
		t.Errorf("a scratch with a %d-byte buffer is pooled", cap(s.buf))
	}
}

// checkedRequest is a request and the error its check must give.
type checkedRequest struct {
	req  *pbft.Request
	want error
}

// TestVerifyRequestsConcurrently has several goroutines check batches at once with one
// authenticator (one cache, one scratch pool), as a replica's worker pool does. The batches
// differ in size and layout, share some requests, and mix in forged, malformed and unknown
// ones: every error must be the right one, in every round.
func TestVerifyRequestsConcurrently(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	a := New(c.keys.Public, nil)
	shared := make([]*pbft.Request, 16)
	for i := range shared {
		shared[i] = signedRequest(c, []string{"A", "B"}[i%2], uint64(i+1), i)
	}
	const workers, rounds = 4, 5
	batches := make([][][]checkedRequest, workers) // worker, round → batch
	for w := range batches {
		for r := range rounds {
			batches[w] = append(batches[w], mixedBatch(c, shared, 12+9*w+7*r, uint64(1e6*(w+1)+1e3*r)))
		}
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r, batch := range batches[w] {
				checkBatchErrors(t, a, fmt.Sprintf("worker %d round %d", w, r), batch)
			}
		})
	}
	wg.Wait()
}

// checkBatchErrors checks batch with VerifyRequests, verifyBatch and VerifyRequest, and wants
// the errors of its entries.
func checkBatchErrors(t *testing.T, a *Authenticator, name string, batch []checkedRequest) {
	reqs := make([]*pbft.Request, len(batch))
	values := make([]pbft.Request, len(batch))
	var first error
	for i, e := range batch {
		reqs[i], values[i] = e.req, *e.req
		if first == nil {
			first = e.want
		}
	}
	for i, err := range a.VerifyRequests(reqs) {
		if err != batch[i].want {
			t.Errorf("%s, request %d: %v, want %v", name, i, err, batch[i].want)
		}
	}
	if err := a.verifyBatch(values); err != first {
		t.Errorf("%s: verifyBatch = %v, want %v", name, err, first)
	}
	for i := len(batch) - 3; i < len(batch); i++ {
		if err := a.VerifyRequest(batch[i].req); err != batch[i].want {
			t.Errorf("%s, request %d alone: %v, want %v", name, i, err, batch[i].want)
		}
	}
}

// mixedBatch returns n requests with timestamps from ts on: good ones with ops of various
// lengths, requests of shared, forged and malformed ones, and one of an unknown client.
func mixedBatch(c *cluster, shared []*pbft.Request, n int, ts uint64) []checkedRequest {
	out := make([]checkedRequest, 0, n+1)
	for i := range n {
		client := []string{"A", "B"}[i%2]
		r := signedRequest(c, client, ts+uint64(i), i)
		var want error
		switch i % 6 {
		case 0:
			r = shared[(i/6+int(ts))%len(shared)]
		case 2: // forged: another op under the signature
			r.Op = append(r.Op, '!')
			want = ErrBadRequest
		case 3: // one bit of the signature flipped
			r.Sig[i%crypto.SignatureSize] ^= 1
			want = ErrBadRequest
		case 5: // malformed: short signature
			r.Sig = r.Sig[:crypto.SignatureSize-1]
			want = ErrBadRequest
		}
		out = append(out, checkedRequest{r, want})
	}
	unknown := &pbft.Request{Client: "Z", Timestamp: ts, Op: []byte("op"), Sig: make([]byte, crypto.SignatureSize)}
	return append(out, checkedRequest{unknown, ErrUnknownUser})
}

// signedRequest is a request of client with an op whose length depends on i.
func signedRequest(c *cluster, client string, ts uint64, i int) *pbft.Request {
	r := &pbft.Request{Client: pbft.ClientID(client), Timestamp: ts,
		Op: fmt.Appendf(nil, "transfer %s %s %d", client, strings.Repeat("x", i%13), ts)}
	SignRequest(c.keys.Clients[client], r)
	return r
}

// TestVerifyRequestsAllocations checks that a steady stream of 128-request batches allocates,
// per VerifyRequests, only the returned errors and what the Ed25519 batch equation allocates
// (measured on a warm crypto.Ed25519Batch of the same signatures): no buffers, pending or
// result slices, nor a batch verifier per call.
func TestVerifyRequestsAllocations(t *testing.T) {
	if raceEnabled() {
		t.Skip("under the race detector sync.Pool drops items at random")
	}
	keys, reqs := benchRequests(t, 128)
	a := New(keys.Public, nil)
	ours := testing.AllocsPerRun(20, func() {
		a.requests.reset() // every signature checked
		if errs := a.VerifyRequests(reqs); errs[0] != nil || errs[127] != nil {
			t.Fatal("good requests failed")
		}
	})
	batch, valid := crypto.NewEd25519Batch(0), []bool(nil)
	msgs := make([][]byte, len(reqs))
	for i, r := range reqs {
		msgs[i] = r.SignedBytes()
	}
	equation := testing.AllocsPerRun(20, func() {
		batch.Reset()
		for i, r := range reqs {
			key, _ := a.clientKey(string(r.Client))
			batch.Add(key, msgs[i], r.Sig)
		}
		valid = batch.VerifyInto(valid)
	})
	t.Logf("VerifyRequests of 128: %.0f allocations, %.0f of them in the batch equation", ours, equation)
	if ours > equation+1 || !valid[127] {
		t.Errorf("VerifyRequests of 128: %.0f allocations, want at most %.0f (the batch equation's and the errors)",
			ours, equation+1)
	}
}

// raceEnabled reports whether the test binary was built with the race detector.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// A faulty replica's oversized batch fails before any signature is checked.
func TestBatchOverLimitRefusedBeforeSignatures(t *testing.T) {
	a := New(newCluster(t, crypto.SchemeBLS12381).keys.Public, nil)
	a.SetBatchLimit(2)
	batch := make([]pbft.Request, 3)
	if err := a.Verify(&pbft.PrePrepare{Batch: batch}); !errors.Is(err, ErrBatchTooLarge) {
		t.Fatalf("3 requests with a limit of 2: %v, want ErrBatchTooLarge", err)
	}
	big := []pbft.Request{{Client: "A", Timestamp: 1, Op: make([]byte, pbft.MaxOpBytes+1)}}
	if err := a.Verify(&pbft.BatchReply{Batch: big}); !errors.Is(err, ErrBatchTooLarge) {
		t.Fatalf("an operation over MaxOpBytes: %v, want ErrBatchTooLarge", err)
	}
}
