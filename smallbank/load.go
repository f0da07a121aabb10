package smallbank

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// AccountName is the name of benchmark account i: its decimal index ("0", "1", ...).
func AccountName(i int) string { return strconv.Itoa(i) }

// loadSeed2 is the fixed second word of the PCG seed of LoadAccounts.
const loadSeed2 = 0x5a11_ba4c

// LoadAccounts opens the count benchmark accounts AccountName(0) .. AccountName(count-1), each
// owned by the client of the same name (as Open does), with checking and savings drawn
// independently and uniformly from [lo, hi] by a PCG generator seeded with seed, so that every
// replica loading with the same arguments holds the same state. It fails, opening nothing, if one
// of the names exists already.
//
// Loading is built for a million accounts: the names share one allocation, and the hashing of the
// new accounts is left to the next Digest, which runs it on all cores.
func (b *Bank) LoadAccounts(count int, lo, hi int64, seed uint64) error {
	if err := b.checkLoad(count, lo, hi); err != nil {
		return err
	}
	names := numberNames(count)
	for _, name := range names {
		if b.Has(name) {
			return fmt.Errorf("smallbank: account %s already exists", name)
		}
	}
	if len(b.index) == 0 {
		b.index = make(map[string]int32, count)
	}
	b.names = slices.Grow(b.names, count)
	b.accts.grow(count)
	draw := newLoadDraw(lo, hi, seed)
	for _, name := range names {
		a := draw.next()
		b.add(name, a)
		b.total += a.checking + a.savings
	}
	return nil
}

// LoadedTotal is the money that LoadAccounts(count, lo, hi, seed) puts in an empty bank, computed
// without opening the accounts (the benchmark checks the replicas' total against it).
func LoadedTotal(count int, lo, hi int64, seed uint64) (int64, error) {
	var empty Bank
	if err := empty.checkLoad(count, lo, hi); err != nil {
		return 0, err
	}
	draw := newLoadDraw(lo, hi, seed)
	var total int64
	for range count {
		a := draw.next()
		total += a.checking + a.savings
	}
	return total, nil
}

// loadDraw draws the balances of loaded accounts, in account order.
type loadDraw struct {
	rng  *rand.PCG
	lo   int64
	span uint64
}

func newLoadDraw(lo, hi int64, seed uint64) loadDraw {
	return loadDraw{rng: rand.NewPCG(seed, loadSeed2), lo: lo, span: uint64(hi-lo) + 1}
}

func (d *loadDraw) next() account {
	return account{
		checking: d.lo + int64(d.rng.Uint64()%d.span),
		savings:  d.lo + int64(d.rng.Uint64()%d.span),
	}
}

// checkLoad rejects arguments for which some draw could break an invariant or overflow Total.
func (b *Bank) checkLoad(count int, lo, hi int64) error {
	switch {
	case count < 0 || count > math.MaxInt32-b.accts.len():
		return fmt.Errorf("smallbank: cannot load %d accounts", count)
	case lo < 0 || hi < lo:
		return fmt.Errorf("smallbank: bad balance range [%d, %d]", lo, hi)
	case hi > MaxBalance/2:
		return fmt.Errorf("smallbank: balances up to %d: checking + savings could exceed the limit %d", hi, int64(MaxBalance))
	case count > 0 && hi > (math.MaxInt64-max(b.total, 0))/int64(count)/2:
		return errors.New("smallbank: balances too large: the total would overflow")
	}
	return nil
}

// numberNames returns the names "0" .. count-1 as substrings of one string.
func numberNames(count int) []string {
	arena := make([]byte, 0, count*7)
	ends := make([]int, count)
	for i := range count {
		arena = strconv.AppendInt(arena, int64(i), 10)
		ends[i] = len(arena)
	}
	all := string(arena)
	names := make([]string, count)
	start := 0
	for i, end := range ends {
		names[i], start = all[start:end], end
	}
	return names
}
