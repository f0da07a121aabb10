package smallbank

import (
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"testing"
)

// scenarioBank is the scenario's initial state: A..J with checking 10, savings 0.
func scenarioBank(t testing.TB) *Bank {
	t.Helper()
	bank := NewBank()
	for c := 'A'; c <= 'J'; c++ {
		must(t, bank.Open(string(c), 10, 0))
	}
	return bank
}

// randomOp draws an operation over accounts A..L (K and L do not exist), with amounts that
// are sometimes negative or larger than the balances.
func randomOp(rng *rand.Rand) Op {
	name := func() string { return string(rune('A' + rng.IntN(12))) }
	op := Op{Kind: OpKind(1 + rng.IntN(6)), Account: name()}
	shape, _ := op.Kind.shape()
	if shape.dest {
		op.Dest = name()
	}
	if shape.amount {
		op.Amount = rng.Int64N(30) - 5
	}
	return op
}

// recomputed hashes every account from scratch, sequentially, without the incremental state.
func recomputed(b *Bank) [32]byte {
	var h LtHash
	for i := range b.accts {
		h.Add(appendElem(nil, b.names[i], b.accts[i]))
	}
	return h.Sum()
}

// rebuilt opens the bank's accounts with their current balances, in reverse order, in a new bank.
func rebuilt(t testing.TB, b *Bank) *Bank {
	t.Helper()
	nb := NewBank()
	names := b.Accounts()
	slices.Reverse(names)
	for _, n := range names {
		c, s, _ := b.Balances(n)
		must(t, nb.Open(n, c, s))
	}
	return nb
}

func TestDigestIncrementalEqualsRecomputed(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	bank := scenarioBank(t)
	for step := 1; step <= 2000; step++ {
		bank.Apply(randomOp(rng))
		if rng.IntN(20) != 0 && step != 2000 { // check at random moments
			continue
		}
		got := bank.Digest()
		if want := recomputed(bank); got != want {
			t.Fatalf("step %d: incremental digest %v, recomputed %x", step, got, want[:4])
		}
		if other := rebuilt(t, bank).Digest(); got != other {
			t.Fatalf("step %d: digest differs from a bank built with the same balances", step)
		}
	}
}

func TestDigestDeterministic(t *testing.T) {
	one, two := scenarioBank(t), scenarioBank(t)
	rng1, rng2 := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	for step := 0; step < 500; step++ {
		r1, r2 := one.Apply(randomOp(rng1)), two.Apply(randomOp(rng2))
		if r1 != r2 {
			t.Fatalf("step %d: results %+v and %+v", step, r1, r2)
		}
		if step%10 == 0 {
			one.Digest() // folding at other moments must not matter
		}
	}
	if one.Digest() != two.Digest() {
		t.Fatal("same operations gave different digests")
	}
}

func TestDigestIndependentOfOrderOfIndependentOps(t *testing.T) {
	ops := []string{"SendPayment(A, B, 3)", "DepositChecking(C, 5)", "WriteCheck(D, 20)", "Amalgamate(E, F)", "TransactSavings(G, 4)"}
	forward, backward := scenarioBank(t), scenarioBank(t)
	for i := range ops {
		forward.Apply(mustParse(t, ops[i]))
		backward.Apply(mustParse(t, ops[len(ops)-1-i]))
	}
	if forward.Digest() != backward.Digest() {
		t.Fatal("the order of independent operations changed the digest")
	}
	if forward.Digest() == scenarioBank(t).Digest() {
		t.Fatal("operations did not change the digest")
	}
}

func TestDigestReturnsWhenStateReturns(t *testing.T) {
	bank := scenarioBank(t)
	start := bank.Digest()
	for _, text := range []string{"SendPayment(A, B, 3)", "Balance(A)", "SendPayment(A, B, 99)", "SendPayment(B, A, 3)"} {
		bank.Apply(mustParse(t, text))
	}
	if bank.Digest() != start {
		t.Fatal("digest differs after the state came back")
	}
	bank.Apply(mustParse(t, "SendPayment(A, B, 1)"))
	mid := bank.Digest()
	bank.Apply(mustParse(t, "SendPayment(B, A, 1)"))
	if mid == start || bank.Digest() != start {
		t.Fatal("digest did not follow a payment and its reversal across a fold")
	}
}

func TestDigestCoversNewAccounts(t *testing.T) {
	bank := scenarioBank(t)
	before := bank.Digest()
	must(t, bank.Open("K", 0, 0))
	if bank.Digest() == before {
		t.Fatal("opening an account did not change the digest")
	}
	if bank.Digest() != recomputed(bank) {
		t.Fatal("digest after Open differs from the recomputed one")
	}
}

// TestDigestPinned pins the digest of the scenario's initial state. Every replica, and every
// version that restores another's snapshot, must compute exactly this; changing the element
// encoding or the expansion is a protocol change.
func TestDigestPinned(t *testing.T) {
	const want = "e3660aa69f54dd893a73a27fe0c844b748c7956d6fedbb19888b2612bde6fb76"
	if got := scenarioBank(t).Digest(); hex.EncodeToString(got[:]) != want {
		t.Fatalf("digest of A..J at 10 is %x, want %s", got[:], want)
	}
}

func TestParallelFoldMatchesSequential(t *testing.T) {
	bank := NewBank()
	must(t, bank.LoadAccounts(3*parallelMin, 10_000, 50_000, 1))
	if got, want := bank.Digest(), recomputed(bank); got != want {
		t.Fatalf("parallel fold %v, sequential %x", got, want[:4])
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for range 2 * parallelMin { // enough changes for a parallel fold of updates
		a, b := rng.IntN(bank.Len()), rng.IntN(bank.Len())
		bank.Apply(Op{Kind: OpSendPayment, Account: AccountName(a), Dest: AccountName(b), Amount: rng.Int64N(100)})
	}
	if got, want := bank.Digest(), recomputed(bank); got != want {
		t.Fatalf("parallel fold of updates %v, sequential %x", got, want[:4])
	}
}

func mustParse(t testing.TB, text string) Op {
	t.Helper()
	op, err := ParseOp(text)
	must(t, err)
	return op
}
