package scenario

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// legacyAccess derives an Access from legacy operation texts "(A, B, 1)" and "(E)".
func legacyAccess(op string) Access {
	args := strings.Split(strings.Trim(op, "() "), ",")
	for i := range args {
		args[i] = strings.TrimSpace(args[i])
	}
	if len(args) == 3 {
		return Access{Client: args[0], Accounts: args[:2]}
	}
	return Access{Client: args[0], Accounts: args[:1]}
}

func accessesOf(ops ...string) []Access {
	acc := make([]Access, len(ops))
	for i, op := range ops {
		acc[i] = legacyAccess(op)
	}
	return acc
}

func TestDeps(t *testing.T) {
	cases := []struct {
		name string
		txns []Access
		want [][]int
	}{
		{"empty", nil, [][]int{}},
		{"official set 1 is a chain", accessesOf("(A, B, 1)", "(B, C, 2)", "(C, D, 3)", "(D, E, 4)", "(E)"),
			[][]int{{}, {0}, {1}, {2}, {3}}},
		{"official set 3 is parallel", accessesOf("(A, B, 1)", "(C, D, 2)", "(E, F, 3)", "(G, H, 4)", "(H)"),
			[][]int{{}, {}, {}, {}, {3}}},
		{"join of two chains", accessesOf("(A, B, 1)", "(C, D, 1)", "(B, C, 1)"), [][]int{{}, {}, {0, 1}}},
		{"latest toucher only", accessesOf("(A, B, 1)", "(A, C, 1)", "(A, D, 1)"), [][]int{{}, {0}, {1}}},
		{"reads of one account are ordered", accessesOf("(E)", "(E)", "(F)"), [][]int{{}, {0}, {}}},
		{"self transfer", accessesOf("(A, A, 1)", "(A)"), [][]int{{}, {0}}},
		{"client stays closed-loop", []Access{
			{Client: "c1", Accounts: []string{"X"}},
			{Client: "c2", Accounts: []string{"Y"}},
			{Client: "c1", Accounts: []string{"Z"}},
		}, [][]int{{}, {}, {0}}},
		{"client and account deps merge", []Access{
			{Client: "c1", Accounts: []string{"X"}},
			{Client: "c1", Accounts: []string{"X", "Y"}},
		}, [][]int{{}, {0}}},
		{"multi-op transaction", []Access{
			{Client: "C", Accounts: []string{"C", "A"}},
			{Client: "B", Accounts: []string{"B"}},
			{Client: "A", Accounts: []string{"A", "B"}},
		}, [][]int{{}, {}, {0, 1}}},
	}
	for _, c := range cases {
		if got := Deps(c.txns); !slices.EqualFunc(got, c.want, slices.Equal) {
			t.Errorf("%s: Deps = %v, want %v", c.name, got, c.want)
		}
	}
}

// closure returns, for each transaction, every transaction it transitively waits for.
func closure(deps [][]int) []map[int]bool {
	all := make([]map[int]bool, len(deps))
	for i, d := range deps {
		all[i] = map[int]bool{}
		for _, j := range d {
			all[i][j] = true
			for k := range all[j] {
				all[i][k] = true
			}
		}
	}
	return all
}

// TestDepsCoverEveryConflict checks that waiting for Deps is waiting for every earlier
// transaction that shares an account or a client, and for nothing else.
func TestDepsCoverEveryConflict(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		txns := randomAccesses(rng, 1+rng.IntN(30), 1+rng.IntN(8))
		got := closure(Deps(txns))
		want := closure(bruteDeps(txns))
		for i := range txns {
			if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
				t.Fatalf("trial %d txn %d: waits for %v, want %v (txns %v)", trial, i, got[i], want[i], txns)
			}
		}
	}
}

// bruteDeps lists every earlier transaction sharing an account or the client.
func bruteDeps(txns []Access) [][]int {
	deps := make([][]int, len(txns))
	for i, t := range txns {
		for j := 0; j < i; j++ {
			shares := txns[j].Client == t.Client
			for _, a := range t.Accounts {
				shares = shares || slices.Contains(txns[j].Accounts, a)
			}
			if shares {
				deps[i] = append(deps[i], j)
			}
		}
	}
	return deps
}

func randomAccesses(rng *rand.Rand, n, accounts int) []Access {
	txns := make([]Access, n)
	for i := range txns {
		a := strconv.Itoa(rng.IntN(accounts))
		b := strconv.Itoa(rng.IntN(accounts))
		txns[i] = Access{Client: a, Accounts: []string{a, b}}
		if rng.IntN(4) == 0 {
			txns[i].Accounts = txns[i].Accounts[:1]
		}
	}
	return txns
}

func TestSchedulerSteps(t *testing.T) {
	s, err := NewScheduler([][]int{{}, {}, {0, 1}, {2}, {}})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		done  int // -1: none
		ready []int
	}{
		{-1, []int{0, 1, 4}},
		{1, []int{}},
		{0, []int{2}},
		{4, []int{}},
		{2, []int{3}},
		{3, []int{}},
	}
	for k, st := range steps {
		if st.done >= 0 {
			if err := s.Done(st.done); err != nil {
				t.Fatalf("step %d: Done(%d): %v", k, st.done, err)
			}
		}
		if got := s.Ready(); !slices.Equal(got, st.ready) {
			t.Fatalf("step %d: Ready = %v, want %v", k, got, st.ready)
		}
	}
	if !s.Finished() || s.Len() != 5 {
		t.Errorf("Finished = %v, Len = %d", s.Finished(), s.Len())
	}
}

func TestSchedulerErrors(t *testing.T) {
	if _, err := NewScheduler([][]int{{}, {1}}); err == nil {
		t.Error("self dependency accepted")
	}
	if _, err := NewScheduler([][]int{{1}, {}}); err == nil {
		t.Error("forward dependency accepted")
	}
	if _, err := NewScheduler([][]int{{-1}}); err == nil {
		t.Error("negative dependency accepted")
	}
	s, err := NewScheduler([][]int{{}, {0}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Done(0); err == nil {
		t.Error("Done before Ready accepted")
	}
	if err := s.Done(1); err == nil {
		t.Error("Done of a waiting transaction accepted")
	}
	if err := s.Done(2); err == nil {
		t.Error("Done out of range accepted")
	}
	s.Ready()
	if err := s.Done(0); err != nil {
		t.Fatal(err)
	}
	if err := s.Done(0); err == nil {
		t.Error("double Done accepted")
	}
	if empty, _ := NewScheduler(nil); !empty.Finished() || len(empty.Ready()) != 0 {
		t.Error("empty scheduler not finished")
	}
}

// TestScheduleEqualsSerialExecution runs transfers in random completion orders allowed by the
// scheduler and checks that the final balances equal running the file one by one in order.
func TestScheduleEqualsSerialExecution(t *testing.T) {
	f, err := ParseFile("../tests/official-testcases.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range f.Sets {
		var ops []string
		for _, tx := range set.Txns {
			ops = append(ops, tx.Ops[0])
		}
		want := runTransfers(ops, serialOrder(len(ops)))
		for seed := uint64(0); seed < 20; seed++ {
			order := scheduledOrder(t, Deps(accessesOf(ops...)), rand.New(rand.NewPCG(seed, 7)))
			if got := runTransfers(ops, order); got != want {
				t.Fatalf("set %s seed %d: balances %s, want %s (order %v)", set.Number, seed, got, want, order)
			}
		}
	}
	// A low balance makes order matter: C can pay 15 only after B paid it 10.
	ops := []string{"(B, C, 10)", "(C, D, 15)", "(A, E, 1)"}
	for seed := uint64(0); seed < 10; seed++ {
		order := scheduledOrder(t, Deps(accessesOf(ops...)), rand.New(rand.NewPCG(seed, 3)))
		if got, want := runTransfers(ops, order), runTransfers(ops, serialOrder(3)); got != want {
			t.Errorf("seed %d: balances %s, want %s", seed, got, want)
		}
	}
}

func serialOrder(n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	return order
}

// scheduledOrder completes a random ready-and-issued transaction at each step.
func scheduledOrder(t *testing.T, deps [][]int, rng *rand.Rand) []int {
	t.Helper()
	s, err := NewScheduler(deps)
	if err != nil {
		t.Fatal(err)
	}
	var inFlight, order []int
	for !s.Finished() {
		inFlight = append(inFlight, s.Ready()...)
		if len(inFlight) == 0 {
			t.Fatal("scheduler stalled")
		}
		k := rng.IntN(len(inFlight))
		i := inFlight[k]
		inFlight = slices.Delete(inFlight, k, k+1)
		if err := s.Done(i); err != nil {
			t.Fatal(err)
		}
		order = append(order, i)
	}
	return order
}

// runTransfers executes legacy transfers in the given order (checking 10 each, insufficient
// funds fail) and prints the balances.
func runTransfers(ops []string, order []int) string {
	bal := map[string]int{}
	for _, a := range "ABCDEFGHIJ" {
		bal[string(a)] = 10
	}
	for _, i := range order {
		args := strings.Split(strings.Trim(ops[i], "()"), ",")
		if len(args) != 3 {
			continue
		}
		from, to := strings.TrimSpace(args[0]), strings.TrimSpace(args[1])
		amt, _ := strconv.Atoi(strings.TrimSpace(args[2]))
		if bal[from] >= amt {
			bal[from] -= amt
			bal[to] += amt
		}
	}
	return fmt.Sprint(bal)
}
