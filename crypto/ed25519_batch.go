package crypto

// Ed25519Batch verifies many signatures at once: one multi-scalar multiplication with fresh
// random 128-bit coefficients z (from crypto/rand) checks the whole batch,
// [8](Σ z·S·B − Σ z·R − Σ z·k·A) = 0, at about half the cost per signature of checking them one
// by one. Only when that check fails are the signatures verified one by one, to tell the
// good from the bad. It uses the cofactored ZIP-215 equation, so a signature passes in a
// batch exactly when it passes alone (VerifyKey.Verify, ExpandedVerifyKey.Verify): a valid
// one always, an invalid one with probability at most 2⁻¹²⁸. Every Verify draws new
// coefficients, so reusing a batch (Reset) changes none of this. Signatures may carry hints
// (HintedSignatureSize), which spare decompressing R. A batch keeps its memory across Reset,
// so a caller that checks batch after batch with one of them allocates little. A batch is
// not safe for concurrent use.
type Ed25519Batch struct {
	entries []batchEntry
	eq      equation
}

// batchEntry is one signature of a batch, kept for the one-by-one check after a failure.
type batchEntry struct {
	key      *ExpandedVerifyKey
	msg, sig []byte
	// malformed: the key is not a point or the signature has the wrong length; the entry
	// is not given to the verifier and fails without a check.
	malformed bool
}

// NewEd25519Batch returns an empty batch with room for capacity signatures.
func NewEd25519Batch(capacity int) *Ed25519Batch {
	return &Ed25519Batch{entries: make([]batchEntry, 0, capacity)}
}

// Add queues the signature sig of msg under key. The batch keeps msg and sig until Reset:
// the caller must not change them before the last Verify.
func (b *Ed25519Batch) Add(key *ExpandedVerifyKey, msg, sig []byte) {
	e := batchEntry{key: key, msg: msg, sig: sig, malformed: !key.Valid() ||
		(len(sig) != SignatureSize && len(sig) != HintedSignatureSize)}
	b.entries = append(b.entries, e)
}

// Len is the number of signatures queued.
func (b *Ed25519Batch) Len() int { return len(b.entries) }

// Reset empties the batch for other signatures, keeping its memory. It drops the batch's
// references to the keys, messages and signatures added so far.
func (b *Ed25519Batch) Reset() {
	clear(b.entries)
	b.entries = b.entries[:0]
	clear(b.eq.static)
}

// Verify checks every queued signature and returns, in the order of Add, whether each is
// valid. A single well-formed signature is checked by itself: preparing a batch entry
// (decompressing R, hashing) costs a third as much again as the check. The batch is left as
// it is; Reset empties it for other signatures.
func (b *Ed25519Batch) Verify() []bool { return b.VerifyInto(nil) }

// VerifyInto is Verify writing the results into the memory of valid when it has room for
// Len of them (into a new slice otherwise), and returning them.
func (b *Ed25519Batch) VerifyInto(valid []bool) []bool {
	if cap(valid) < len(b.entries) {
		valid = make([]bool, len(b.entries))
	}
	valid = valid[:len(b.entries)]
	if n := b.queued(); n > 1 && b.eq.holds(b.entries, n) {
		for i, e := range b.entries {
			valid[i] = !e.malformed
		}
		return valid
	}
	for i, e := range b.entries {
		valid[i] = !e.malformed && e.key.Verify(e.msg, e.sig)
	}
	return valid
}

// queued is the number of signatures given to the batch equation (all but the malformed).
// One alone is cheaper to check by itself.
func (b *Ed25519Batch) queued() int {
	n := 0
	for _, e := range b.entries {
		if !e.malformed {
			n++
		}
	}
	return n
}
