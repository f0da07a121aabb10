package crypto

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve"
)

// Kinds of signature in a batch round.
const (
	sigGood    = iota
	sigForged  // a signature of another message
	sigHighS   // S ≥ ℓ: well-formed length, rejected when the verifier parses it
	sigShort   // malformed: fails without a check
	sigBadKey  // malformed: the key is not a point
	sigAltered // one bit of R flipped
)

// batchRound is one use of a reused batch: size signatures, good but for the kinds given.
type batchRound struct {
	size int
	bad  map[int]int // index → kind
}

// TestEd25519BatchReuse checks one batch through rounds of different sizes (on both sides of
// 94, where the verifier stops using the keys' precomputed tables), mixing good, forged and
// malformed signatures, and writes every round's results into the same slice.
func TestEd25519BatchReuse(t *testing.T) {
	f := newBatchFixture(t, 8)
	rounds := []batchRound{
		{130, nil},
		{40, map[int]int{7: sigForged, 20: sigShort, 33: sigBadKey}},
		{2, map[int]int{1: sigHighS}},
		{1, nil},
		{3, map[int]int{0: sigShort, 1: sigBadKey}}, // one well-formed signature, checked alone
		{100, map[int]int{99: sigAltered, 0: sigForged}},
		{17, nil}, // all good again after failed rounds
		{4, map[int]int{0: sigShort, 1: sigShort, 2: sigBadKey, 3: sigBadKey}},
		{128, map[int]int{64: sigHighS}},
	}
	batch := NewEd25519Batch(0)
	results := make([]bool, 0, 130)
	for r, round := range rounds {
		batch.Reset()
		want := f.fill(t, batch, r, round)
		got := batch.VerifyInto(results)
		if len(got) != len(want) || &got[0] != &results[:1][0] {
			t.Fatalf("round %d: %d results, or not in the slice given", r, len(got))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("round %d, signature %d (kind %d): %v, want %v", r, i, round.bad[i], got[i], want[i])
			}
		}
		if again := batch.Verify(); !slices.Equal(again, want) {
			t.Errorf("round %d verified twice: %v", r, again)
		}
	}
	batch.Reset()
	if batch.Len() != 0 || batch.entries[:cap(batch.entries)][0].msg != nil {
		t.Error("Reset kept the entries or their references")
	}
	for _, k := range batch.eq.static {
		if k != nil {
			t.Fatal("Reset kept the batch equation's references to keys")
		}
	}
}

// TestEd25519BatchReuseAllocatesOnlyInVerifier checks that a warm batch, reset and refilled,
// allocates no more than the multi-scalar multiplication of its equation does
// (curve25519-voi makes its tables anew on every call).
func TestEd25519BatchReuseAllocatesOnlyInVerifier(t *testing.T) {
	f := newBatchFixture(t, 8)
	for _, n := range []int{16, 128} {
		keys, msgs, sigs := make([]*ExpandedVerifyKey, n), make([][]byte, n), make([][]byte, n)
		for i := range n {
			keys[i], msgs[i], sigs[i] = f.entry(0, i, sigGood)
		}
		batch, results := NewEd25519Batch(0), []bool(nil)
		round := func() {
			batch.Reset()
			for i := range n {
				batch.Add(keys[i], msgs[i], sigs[i])
			}
			results = batch.VerifyInto(results)
		}
		ours := testing.AllocsPerRun(20, round)
		q := &batch.eq
		msm := testing.AllocsPerRun(20, func() {
			var sum curve.EdwardsPoint
			sum.ExpandedMultiscalarMulVartime(q.sPtr[:n], q.static[:n], q.sPtr[n:2*n+1], q.dynamic[:n+1])
		})
		t.Logf("batch of %d: %.0f allocations per round, %.0f of them in the multiplication", n, ours, msm)
		if ours > msm || !results[n-1] {
			t.Errorf("batch of %d: %.0f allocations per round, want at most the multiplication's %.0f", n, ours, msm)
		}
	}
}

// batchFixture holds keys and, per round, messages and signatures made once.
type batchFixture struct {
	signers []*SigningKey
	keys    []*ExpandedVerifyKey
	badKey  *ExpandedVerifyKey
	msgs    map[[2]int][]byte // (round, index) → message
	sigs    map[[3]int][]byte // (round, index, kind) → signature
}

func newBatchFixture(t *testing.T, n int) *batchFixture {
	t.Helper()
	f := &batchFixture{badKey: ExpandVerifyKey(notAPoint(t)),
		msgs: map[[2]int][]byte{}, sigs: map[[3]int][]byte{}}
	for i := range n {
		k, err := GenerateSigningKey(DeriveSeed([]byte("reuse"), fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		f.signers, f.keys = append(f.signers, k), append(f.keys, ExpandVerifyKey(k.Public()))
	}
	return f
}

// fill adds the signatures of round r to batch and returns whether each should verify.
func (f *batchFixture) fill(t *testing.T, batch *Ed25519Batch, r int, round batchRound) []bool {
	want := make([]bool, round.size)
	for i := range round.size {
		kind := round.bad[i]
		key, msg, sig := f.entry(r, i, kind)
		want[i] = kind == sigGood
		if key.Verify(msg, sig) != want[i] {
			t.Fatalf("round %d, signature %d (kind %d): alone %v", r, i, kind, !want[i])
		}
		batch.Add(key, msg, sig)
	}
	return want
}

// entry returns signature i of round r, of the kind asked for.
func (f *batchFixture) entry(r, i, kind int) (*ExpandedVerifyKey, []byte, []byte) {
	signer, key := f.signers[i%len(f.signers)], f.keys[i%len(f.keys)]
	msg, ok := f.msgs[[2]int{r, i}]
	if !ok {
		msg = fmt.Appendf(nil, "round %d request %d", r, i)
		f.msgs[[2]int{r, i}] = msg
	}
	if kind == sigBadKey {
		key = f.badKey
	}
	if sig, ok := f.sigs[[3]int{r, i, kind}]; ok {
		return key, msg, sig
	}
	sig := signer.Sign(msg)
	switch kind {
	case sigForged:
		sig = signer.Sign(append(msg, '!'))
	case sigHighS:
		sig = append(sig[:32:32], bytes.Repeat([]byte{0xff}, 32)...)
	case sigShort:
		sig = sig[:SignatureSize-1]
	case sigAltered:
		sig[3] ^= 0x10
	}
	f.sigs[[3]int{r, i, kind}] = sig
	return key, msg, sig
}
