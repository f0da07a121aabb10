package smallbank

import (
	"math"
	"strings"
	"testing"
)

func TestLoadAccounts(t *testing.T) {
	one, two, other := NewBank(), NewBank(), NewBank()
	must(t, one.LoadAccounts(1000, 10_000, 50_000, 42))
	must(t, two.LoadAccounts(1000, 10_000, 50_000, 42))
	must(t, other.LoadAccounts(1000, 10_000, 50_000, 43))
	if one.Digest() != two.Digest() || one.Digest() == other.Digest() {
		t.Fatal("loading is not a function of the seed")
	}
	var sum int64
	for i := range 1000 {
		c, s, ok := one.Balances(AccountName(i))
		if !ok || c < 10_000 || c > 50_000 || s < 10_000 || s > 50_000 {
			t.Fatalf("account %d: %d, %d, %v", i, c, s, ok)
		}
		sum += c + s
	}
	if one.Len() != 1000 || one.Total() != sum {
		t.Fatalf("Len %d Total %d, want 1000 and %d", one.Len(), one.Total(), sum)
	}
	if one.Digest() != recomputed(one) {
		t.Fatal("digest after load differs from the recomputed one")
	}
}

func TestLoadAccountsRejects(t *testing.T) {
	bank := NewBank()
	must(t, bank.Open("7", 10, 0))
	tests := []struct {
		count   int
		lo, hi  int64
		wantErr string
	}{
		{10, 0, 10, "account 7 already exists"},
		{-1, 0, 10, "cannot load"},
		{math.MaxInt32, 0, 10, "cannot load"},
		{1, -1, 10, "bad balance range"},
		{1, 10, 9, "bad balance range"},
		{4, 0, MaxBalance/2 + 1, "exceed the limit"},
		{4, 0, math.MaxInt64 / 8, "exceed the limit"},
	}
	for _, tt := range tests {
		err := bank.LoadAccounts(tt.count, tt.lo, tt.hi, 1)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("LoadAccounts(%d, %d, %d) = %v, want %q", tt.count, tt.lo, tt.hi, err, tt.wantErr)
		}
	}
	if bank.Len() != 1 || bank.Total() != 10 {
		t.Fatalf("failed loads changed the bank: %d accounts, total %d", bank.Len(), bank.Total())
	}
	must(t, bank.LoadAccounts(3, 0, MaxBalance/2, 1)) // the largest range within the limits
}

func TestLoadedTotalMatchesLoad(t *testing.T) {
	for _, n := range []int{0, 1, 1000} {
		b := NewBank()
		if err := b.LoadAccounts(n, 10_000, 50_000, 42); err != nil {
			t.Fatal(err)
		}
		got, err := LoadedTotal(n, 10_000, 50_000, 42)
		if err != nil || got != b.Total() {
			t.Fatalf("n=%d: LoadedTotal %d, %v; bank total %d", n, got, err, b.Total())
		}
	}
	if _, err := LoadedTotal(10, 5, 1, 1); err == nil {
		t.Fatal("bad range accepted")
	}
}
