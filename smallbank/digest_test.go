package smallbank

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
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

// recomputed computes the digest from scratch by the straightforward path: group the accounts
// by bucket, sort each bucket by name, hash every leaf, then every inner level in full.
func recomputed(b *Bank) [32]byte {
	buckets := make(map[uint16][]string)
	for _, name := range b.names {
		sum := sha256.Sum256([]byte(bucketDomain + name))
		k := binary.BigEndian.Uint16(sum[:2])
		buckets[k] = append(buckets[k], name)
	}
	empty := sha256.Sum256([]byte(leafDomain))
	level := make([][32]byte, 1<<16)
	for k := range level {
		names, ok := buckets[uint16(k)]
		if !ok {
			level[k] = empty
			continue
		}
		slices.Sort(names)
		enc := []byte(leafDomain)
		for _, n := range names {
			c, s, _ := b.Balances(n)
			enc = appendElem(enc, n, account{checking: c, savings: s, version: b.accts.get(b.index[n]).version})
		}
		level[k] = sha256.Sum256(enc)
	}
	for height := byte(1); len(level) > 1; height++ {
		up := make([][32]byte, len(level)/16)
		for j := range up {
			enc := append([]byte(nodeDomain), height)
			for _, c := range level[16*j : 16*j+16] {
				enc = append(enc, c[:]...)
			}
			up[j] = sha256.Sum256(enc)
		}
		level = up
	}
	return level[0]
}

// rebuilt opens the bank's accounts with their current balances and versions, in reverse order,
// in a new bank.
func rebuilt(t testing.TB, b *Bank) *Bank {
	t.Helper()
	nb := NewBank()
	names := b.Accounts()
	slices.Reverse(names)
	for _, n := range names {
		c, s, _ := b.Balances(n)
		must(t, nb.Open(n, c, s))
		i := nb.index[n]
		a := nb.accts.get(i)
		a.version = b.accts.get(b.index[n]).version
		nb.touch(i)
		nb.accts.set(i, a)
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

// Balances that come back to earlier values are a new state all the same: the accounts'
// versions moved, so the digest and a Balance's result differ from before. Read replies that
// matched on the balance alone let 2f+1 replicas agree on a value from before a completed write
// (docs/protocol.md, "Linearizability", the ABA case).
func TestBalancesThatComeBackAreANewVersion(t *testing.T) {
	bank := scenarioBank(t)
	start, read := bank.Digest(), bank.Apply(mustParse(t, "Balance(A)"))
	for _, text := range []string{"SendPayment(A, B, 3)", "Balance(A)", "SendPayment(A, B, 99)", "SendPayment(B, A, 3)"} {
		bank.Apply(mustParse(t, text))
	}
	if c, s, _ := bank.Balances("A"); c+s != read.Value {
		t.Fatalf("A holds %d, want it back at %d", c+s, read.Value)
	}
	again := bank.Apply(mustParse(t, "Balance(A)"))
	if again.Value != read.Value || again.Version != read.Version+2 {
		t.Fatalf("Balance(A) after two payments and back: %+v, first %+v; want the same value, version +2", again, read)
	}
	if bytes.Equal(EncodeResult(again), EncodeResult(read)) {
		t.Fatal("the two reads encode alike: replies would match")
	}
	if bank.Digest() == start {
		t.Fatal("digest unchanged although the accounts' versions moved")
	}
	// An operation that moves nothing (the refused payment of 99 above, a deposit of 0) keeps
	// the version and the digest.
	mid := bank.Digest()
	bank.Apply(mustParse(t, "DepositChecking(A, 0)"))
	if bank.Digest() != mid || bank.Apply(mustParse(t, "Balance(A)")) != again {
		t.Fatal("a deposit of 0 changed the account's version")
	}
}

func TestDigestCoversNewAccounts(t *testing.T) {
	bank := scenarioBank(t)
	before := bank.Digest()
	must(t, bank.Open("K", 0, 0))
	bank.Apply(mustParse(t, "DepositChecking(K, 7)")) // changed before its first fold
	if bank.Digest() == before {
		t.Fatal("opening an account did not change the digest")
	}
	if bank.Digest() != recomputed(bank) {
		t.Fatal("digest after Open differs from the recomputed one")
	}
}

// sameLeafNames returns two names, in name order, that fall in the same leaf.
func sameLeafNames(t *testing.T) (first, second string) {
	t.Helper()
	seen := make(map[uint16]string)
	for i := range 100_000 {
		name := "n" + AccountName(i)
		if other, ok := seen[leafOf(name)]; ok {
			return min(name, other), max(name, other)
		}
		seen[leafOf(name)] = name
	}
	t.Fatal("no two names share a leaf")
	return "", ""
}

func TestDigestLeafHashesInNameOrder(t *testing.T) {
	first, second := sameLeafNames(t)
	forward, backward := NewBank(), NewBank()
	must(t, forward.Open(first, 1, 2))
	must(t, forward.Open(second, 3, 4))
	must(t, backward.Open(second, 3, 4))
	must(t, backward.Open(first, 1, 2))
	if forward.Digest() != backward.Digest() || forward.Digest() != recomputed(forward) {
		t.Fatal("the opening order of two accounts in one leaf changed the digest")
	}
	enc := appendElem([]byte(leafDomain), first, account{checking: 1, savings: 2})
	want := sha256.Sum256(appendElem(enc, second, account{checking: 3, savings: 4}))
	for _, bank := range []*Bank{forward, backward} {
		if got := bank.tree.levels[0].hashes[leafOf(first)]; got != want {
			t.Fatalf("leaf hash %x, want %x: members not hashed in name order", got[:4], want[:4])
		}
	}
}

// TestDigestPinned pins the digest of the empty bank and of the scenario's initial state. Every
// replica, and every version that restores another's snapshot, must compute exactly these;
// changing the element encoding, the domains or the tree shape is a protocol change.
func TestDigestPinned(t *testing.T) {
	for _, tt := range []struct {
		bank *Bank
		want string
	}{
		{NewBank(), "0f4ad1cec41bcdc61e69705f881ed72d14d8b3fa47d480c706cc57171cd2e1cb"},
		{scenarioBank(t), "9795865b9055e5fa52a8f048d27930a0cf4710de31fcd53d754cfa08d75bbf32"},
	} {
		if got := tt.bank.Digest(); hex.EncodeToString(got[:]) != tt.want {
			t.Errorf("digest of %d accounts is %x, want %s", tt.bank.Len(), got[:], tt.want)
		}
	}
}

// edgeLeafNames returns names that fall in the first and in the last leaf.
func edgeLeafNames(t *testing.T) []string {
	t.Helper()
	var first, last string
	for i := 0; first == "" || last == ""; i++ {
		name := "e" + AccountName(i)
		switch leafOf(name) {
		case 0:
			first = name
		case leafCount - 1:
			last = name
		}
	}
	return []string{first, last}
}

// checkLeaves fails unless every account is listed once, in the leaf of its name, and every
// leaf lists its accounts in strict name order.
func checkLeaves(t *testing.T, bank *Bank) {
	t.Helper()
	seen := 0
	for k, m := range bank.tree.members {
		for n, i := range m {
			if leafOf(bank.names[i]) != uint16(k) || n > 0 && bank.names[m[n-1]] >= bank.names[i] {
				t.Fatalf("leaf %d lists %v", k, m)
			}
		}
		seen += len(m)
	}
	if seen != bank.Len() {
		t.Fatalf("the leaves list %d accounts, want %d", seen, bank.Len())
	}
}

// checkFold fails unless the bank's digest equals the recomputed one and its leaves are sound.
func checkFold(t *testing.T, bank *Bank, after string) {
	t.Helper()
	if got, want := bank.Digest(), recomputed(bank); got != want {
		t.Fatalf("after %s: digest %v, recomputed %x", after, got, want[:4])
	}
	checkLeaves(t, bank)
}

func TestBulkFoldsMatchRecomputed(t *testing.T) {
	bank := NewBank()
	for _, name := range edgeLeafNames(t) {
		must(t, bank.Open(name, 1, 1))
	}
	must(t, bank.LoadAccounts(3*parallelMin, 10_000, 50_000, 1))
	checkFold(t, bank, "a load grouped on all cores")
	rng := rand.New(rand.NewPCG(5, 5))
	for range 2 * parallelMin { // enough changed leaves to hash them on all cores
		a, b := rng.IntN(bank.Len()), rng.IntN(bank.Len())
		bank.Apply(Op{Kind: OpSendPayment, Account: AccountName(a), Dest: AccountName(b), Amount: rng.Int64N(100)})
	}
	checkFold(t, bank, "many payments")
	for i := range 5 { // inserted one by one into lists that share one array
		must(t, bank.Open("x"+AccountName(i), int64(i), 0))
	}
	checkFold(t, bank, "a few opens")
	for i := range 2*parallelMin + 1 { // regrouped with the accounts already there
		must(t, bank.Open("y"+AccountName(i), int64(i), 0))
	}
	checkFold(t, bank, "many opens")
}

func TestDigestFoldDoesNotAllocate(t *testing.T) {
	bank := NewBank()
	must(t, bank.LoadAccounts(1000, 10_000, 50_000, 1))
	bank.Digest()
	ops := make([]Op, 64)
	for i := range ops {
		ops[i] = Op{Kind: OpSendPayment, Account: AccountName(i), Dest: AccountName(999 - i), Amount: 1}
	}
	for _, op := range ops { // let the pending lists and the scratch buffer grow once
		bank.Apply(op)
	}
	bank.Digest()
	allocs := testing.AllocsPerRun(20, func() {
		for _, op := range ops {
			bank.Apply(op)
		}
		bank.Digest()
	})
	if allocs != 0 {
		t.Fatalf("a fold of 64 payments allocates %v times", allocs)
	}
}

func mustParse(t testing.TB, text string) Op {
	t.Helper()
	op, err := ParseOp(text)
	must(t, err)
	return op
}
