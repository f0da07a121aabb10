package auth

import (
	"crypto/sha256"
	"sync"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

// Client signatures are the largest cost a request adds: every replica checks the signature
// of every request (SPEC 3.2). Three things make that cheaper:
//
//   - Expanded keys. Every client key is decompressed and precomputed once per process
//     (crypto.ClusterPublic.Expanded).
//   - Batch verification. The requests of a pre-prepare (and the client requests a leader
//     receives at once) are checked together (crypto.Ed25519Batch), one multi-scalar
//     multiplication for the whole batch, about half the cost per signature of one-by-one
//     checks. Only when a batch fails are its signatures checked one by one, to find the bad
//     ones: the good requests of a batch pass whatever the others.
//   - A cache of verified requests. A replica that already checked a request (from its
//     client, forwarded, or in a pre-prepare that the leader re-sent, a VIEW-CHANGE or a
//     NEW-VIEW) does not check it again.
//
// Every request signature is checked with the ZIP-215 rules, one by one or in a batch alike,
// so all honest replicas accept exactly the same requests whatever their batches. (Any
// signature crypto/ed25519 accepts, ZIP-215 accepts too.)

// maxCachedRequests bounds one generation of the verified-request cache; two generations are
// kept, so a request stays known for at least this many later verifications.
const maxCachedRequests = 1 << 16

// requestCache remembers requests whose signature verified, by a digest of the signed bytes
// and the signature.
type requestCache struct {
	mu        sync.Mutex
	cur, prev map[[32]byte]struct{}
}

func (c *requestCache) has(k [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.cur[k]
	if !ok {
		_, ok = c.prev[k]
	}
	return ok
}

func (c *requestCache) add(keys [][32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if c.cur == nil || len(c.cur) >= maxCachedRequests {
			c.prev, c.cur = c.cur, make(map[[32]byte]struct{}, 1024)
		}
		c.cur[k] = struct{}{}
	}
}

// pendingSig is a request signature still to check.
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
// make the others fail.
func (a *Authenticator) VerifyRequests(reqs []*pbft.Request) []error {
	errs := make([]error, len(reqs))
	pending := a.uncached(reqs, errs)
	if len(pending) == 0 {
		return errs
	}
	batch := crypto.NewEd25519Batch(len(pending))
	for i := range pending {
		batch.Add(pending[i].key, pending[i].msg, pending[i].sig)
	}
	good := make([][32]byte, 0, len(pending))
	for i, ok := range batch.Verify() {
		if ok {
			good = append(good, pending[i].cache)
		} else {
			errs[pending[i].index] = ErrBadRequest
		}
	}
	a.requests.add(good)
	return errs
}

// uncached returns the signatures of reqs that are not in the cache, and fills errs for
// requests that cannot be checked at all.
func (a *Authenticator) uncached(reqs []*pbft.Request, errs []error) []pendingSig {
	var pending []pendingSig
	for i, r := range reqs {
		key, ok := a.clientKey(string(r.Client))
		if !ok {
			errs[i] = ErrUnknownUser
			continue
		}
		if len(r.Sig) != crypto.SignatureSize {
			errs[i] = ErrBadRequest
			continue
		}
		msg := r.SignedBytes()
		h := sha256.New()
		h.Write(msg)
		h.Write(r.Sig)
		var ck [32]byte
		h.Sum(ck[:0])
		if a.requests.has(ck) {
			continue
		}
		pending = append(pending, pendingSig{index: i, key: key, msg: msg, sig: r.Sig, cache: ck})
	}
	return pending
}

// verifyBatch checks every client signature of a batch; the first bad one is the error.
func (a *Authenticator) verifyBatch(batch []pbft.Request) error {
	if len(batch) == 0 {
		return nil
	}
	reqs := make([]*pbft.Request, len(batch))
	for i := range batch {
		reqs[i] = &batch[i]
	}
	for _, err := range a.VerifyRequests(reqs) {
		if err != nil {
			return err
		}
	}
	return nil
}

// VerifyRequest checks a client's Ed25519 signature over the request.
func (a *Authenticator) VerifyRequest(r *pbft.Request) error {
	return a.VerifyRequests([]*pbft.Request{r})[0]
}
