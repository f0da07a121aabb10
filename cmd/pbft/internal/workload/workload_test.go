package workload

import (
	"math"
	"testing"

	"github.com/bftbank/pbft/smallbank"
)

func TestMixMatchesWeights(t *testing.T) {
	g, err := New(1, Accounts{Count: 1000}, Amounts{Min: 1, Max: 10})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100_000
	counts := map[smallbank.OpKind]int{}
	for range n {
		op := g.Next()
		if err := op.Validate(); err != nil {
			t.Fatalf("%v: %v", op, err)
		}
		if op.Dest != "" && op.Dest == op.Account {
			t.Fatalf("%v: same account twice", op)
		}
		if op.Amount < 0 || op.Amount > 10 {
			t.Fatalf("%v: amount out of range", op)
		}
		counts[op.Kind]++
	}
	for _, w := range StandardMix {
		got := 100 * float64(counts[w.Kind]) / n
		if math.Abs(got-float64(w.Percent)) > 1 {
			t.Errorf("%v: %.1f%%, want %d%%", w.Kind, got, w.Percent)
		}
	}
}

func TestHotspotConcentratesAccesses(t *testing.T) {
	g, err := New(2, Accounts{Count: 100_000, Hotspot: 100, HotProb: 0.9}, Amounts{Min: 1, Max: 1})
	if err != nil {
		t.Fatal(err)
	}
	hot := 0
	const n = 50_000
	for range n {
		if g.account() < 100 {
			hot++
		}
	}
	if got := float64(hot) / n; math.Abs(got-0.9) > 0.01 {
		t.Fatalf("hot share %.3f, want 0.9", got)
	}
}

func TestValidateRejectsBadChoices(t *testing.T) {
	for _, a := range []Accounts{{Count: 1}, {Count: 10, Hotspot: 11}, {Count: 10, Hotspot: 5, HotProb: 1.5}, {Count: 10, Hotspot: 1, HotProb: 1}} {
		if _, err := New(1, a, Amounts{Min: 1, Max: 2}); err == nil {
			t.Errorf("%+v accepted", a)
		}
	}
	if _, err := New(1, Accounts{Count: 10}, Amounts{Min: 5, Max: 1}); err == nil {
		t.Error("bad amounts accepted")
	}
}
