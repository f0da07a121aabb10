package auth

import (
	"crypto/sha256"

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
//   - A cache of verified requests (requestCache). A replica that already checked a request
//     (from its client, forwarded, or in a pre-prepare that the leader re-sent, a VIEW-CHANGE
//     or a NEW-VIEW) does not check it again. Its key is the SHA-256 of the client key, the
//     signed bytes and the signature, so a cached pair vouches for nothing else.
//
// Every request signature is checked with the ZIP-215 rules, one by one or in a batch alike,
// so all honest replicas accept exactly the same requests whatever their batches. (Any
// signature crypto/ed25519 accepts, ZIP-215 accepts too.)

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
// requests that cannot be checked at all. The signed bytes of all the requests share one
// buffer, each between its client key and its signature: the input of its cache key.
func (a *Authenticator) uncached(reqs []*pbft.Request, errs []error) []pendingSig {
	pending := make([]pendingSig, 0, len(reqs))
	buf := make([]byte, 0, cacheInputSize(reqs))
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
