package auth

import (
	"crypto/sha256"
	"slices"
	"sync"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

// Client signatures are the largest cost a request adds: every replica checks the signature
// of every request (docs/protocol.md, "Authentication"). Three things make that cheaper:
//
//   - Expanded keys. Every client key is decompressed and precomputed once per process
//     (crypto.ClusterPublic.Expanded).
//   - Batch verification. The requests of a pre-prepare (and the client requests a leader
//     receives at once) are checked together (crypto.Ed25519Batch), one multi-scalar
//     multiplication for the whole batch, about half the cost per signature of one-by-one
//     checks. Only when a batch fails are its signatures checked one by one, to find the bad
//     ones: the good requests of a batch pass whatever the others.
//   - A cache of verified requests (requestCache). A replica that already checked a request
//     (from its client, forwarded, or in a pre-prepare that the leader re-sent, a VIEW-CHANGE
//     or a NEW-VIEW) does not check it again. Its key is the SHA-256 of the client key, the
//     signed bytes and the signature, so a cached pair vouches for nothing else.
//
// Every request signature is checked with the ZIP-215 rules, one by one or in a batch alike,
// so all honest replicas accept exactly the same requests whatever their batches. (Any
// signature crypto/ed25519 accepts, ZIP-215 accepts too.)

// requestScratch is the memory one request check works in. Checks take it from scratchPool
// and give it back, so a steady stream of batches allocates none of it again (large buffers
// come fresh from the page heap and fault their pages in anew). Nothing outside the check
// keeps a reference into it: the cache copies the keys of s.good, and the errors are
// package variables.
type requestScratch struct {
	batch   *crypto.Ed25519Batch
	buf     []byte       // cache key inputs; the messages of pending and batch point into it
	pending []pendingSig // every checkable request, cached or not
	valid   []bool       // the batch's results
	good    [][32]byte   // the cache keys of the signatures that verified
	reqs    []*pbft.Request
	errs    []error // the errors of reqs (VerifyRequest, verifyBatch)
}

// A scratch that grew past these limits for one large batch is dropped, not pooled, so a
// pooled one holds at most about 1.5 MiB (buf, and some 400 bytes per request, most of them
// in the batch verifier). pending bounds every per-request slice, the batch's and its
// verifier's too. Replicas check batches of 16 to 200 requests.
const (
	maxPooledRequests = 512
	maxPooledInput    = 1 << 20 // bytes of buf
)

var scratchPool = sync.Pool{New: func() any {
	return &requestScratch{batch: crypto.NewEd25519Batch(0)}
}}

// getScratch returns an empty scratch from the pool.
func getScratch() *requestScratch { return scratchPool.Get().(*requestScratch) }

// release gives s back to the pool, without the references it held to requests and keys,
// or drops it when it grew too large.
func (s *requestScratch) release() {
	if !s.poolable() {
		return
	}
	clear(s.pending)
	clear(s.reqs)
	s.reqs = s.reqs[:0]
	s.batch.Reset()
	scratchPool.Put(s)
}

// poolable reports whether s stayed within the limits for pooling.
func (s *requestScratch) poolable() bool {
	return cap(s.pending) <= maxPooledRequests && cap(s.buf) <= maxPooledInput
}

// pendingSig is a request signature still to check. msg aliases the buffer of its
// requestScratch.
type pendingSig struct {
	index int
	key   *crypto.ExpandedVerifyKey
	msg   []byte
	sig   []byte
	cache [32]byte
}

// VerifyRequests checks the client signatures of reqs and returns one error per request (nil
// for a good one): ErrUnknownUser for a client the cluster does not know, ErrBadRequest for a
// signature that does not verify. The signatures are checked in one batch; a bad one does not
// make the others fail. The work memory is pooled (requestScratch): only the returned slice
// is new.
func (a *Authenticator) VerifyRequests(reqs []*pbft.Request) []error {
	errs := make([]error, len(reqs))
	s := getScratch()
	defer s.release()
	a.verifyRequests(s, reqs, errs)
	return errs
}

// verifyRequests is VerifyRequests working in s and writing the errors into errs, whose
// length is len(reqs) and whose entries are nil.
func (a *Authenticator) verifyRequests(s *requestScratch, reqs []*pbft.Request, errs []error) {
	pending := a.uncached(s, reqs, errs)
	if len(pending) == 0 {
		return
	}
	for i := range pending { // the batch is empty: new, or reset by release
		s.batch.Add(pending[i].key, pending[i].msg, pending[i].sig)
	}
	s.valid = s.batch.VerifyInto(s.valid)
	s.good = s.good[:0]
	for i, ok := range s.valid {
		if ok {
			s.good = append(s.good, pending[i].cache)
		} else {
			errs[pending[i].index] = ErrBadRequest
		}
	}
	a.requests.add(s.good) // copies the keys
}

// uncached returns the signatures of reqs that are not in the cache, and fills errs for
// requests that cannot be checked at all. The signed bytes of all the requests share one
// buffer (s.buf), each between its client key and its signature: the input of its cache key.
// The result lives in s until s is released.
func (a *Authenticator) uncached(s *requestScratch, reqs []*pbft.Request, errs []error) []pendingSig {
	// Room for every input, so that buf never moves while pending messages point into it.
	buf := slices.Grow(s.buf[:0], cacheInputSize(reqs))
	pending := slices.Grow(s.pending[:0], len(reqs))
	for i, r := range reqs {
		key, ok := a.clientKey(string(r.Client))
		if !ok {
			errs[i] = ErrUnknownUser
			continue
		}
		if len(r.Sig) != crypto.SignatureSize && len(r.Sig) != crypto.HintedSignatureSize {
			errs[i] = ErrBadRequest
			continue
		}
		start := len(buf)
		pub := key.Key()
		buf = append(buf, pub[:]...)
		msgStart := len(buf)
		buf = r.AppendSignedBytes(buf)
		msg := buf[msgStart:len(buf):len(buf)]
		buf = append(buf, r.Sig...)
		pending = append(pending, pendingSig{index: i, key: key, msg: msg, sig: r.Sig,
			cache: sha256.Sum256(buf[start:])})
	}
	s.buf, s.pending = buf, pending // all of pending, for release to clear
	return a.requests.unknown(pending)
}

// cacheInputSize is the size of the cache key inputs of reqs: client key, signed bytes and
// signature.
func cacheInputSize(reqs []*pbft.Request) int {
	n := 0
	for _, r := range reqs {
		n += crypto.VerifyKeySize + pbft.SignedRequestOverhead + len(r.Client) + len(r.Op) + len(r.Sig)
	}
	return n
}

// verifyBatch checks every client signature of a batch; the first bad one is the error.
func (a *Authenticator) verifyBatch(batch []pbft.Request) error {
	if len(batch) == 0 {
		return nil
	}
	if a.maxBatch > 0 && len(batch) > a.maxBatch {
		return ErrBatchTooLarge
	}
	for i := range batch {
		if len(batch[i].Op) > pbft.MaxOpBytes {
			return ErrBatchTooLarge
		}
	}
	s := getScratch()
	defer s.release()
	for i := range batch {
		s.reqs = append(s.reqs, &batch[i])
	}
	return a.firstError(s)
}

// VerifyRequest checks a client's Ed25519 signature over the request.
func (a *Authenticator) VerifyRequest(r *pbft.Request) error {
	s := getScratch()
	defer s.release()
	s.reqs = append(s.reqs, r)
	return a.firstError(s)
}

// firstError checks the requests s.reqs and returns the first error, in their order.
func (a *Authenticator) firstError(s *requestScratch) error {
	s.errs = slices.Grow(s.errs[:0], len(s.reqs))[:len(s.reqs)]
	clear(s.errs)
	a.verifyRequests(s, s.reqs, s.errs)
	for _, err := range s.errs {
		if err != nil {
			return err
		}
	}
	return nil
}
