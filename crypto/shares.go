package crypto

import (
	"encoding/binary"
	"fmt"
	"sync"
)

// selectShares returns the first t shares with distinct indices, sorted by index, which is
// the set Combine interpolates. Later duplicates and shares beyond the first t are ignored.
func selectShares(shares []Share, t, n int) ([]Share, error) {
	seen := make([]bool, n+1)
	sel := make([]Share, 0, t)
	for _, s := range shares {
		if s.Index < 1 || s.Index > n {
			return nil, fmt.Errorf("%w: %d not in 1..%d", ErrBadIndex, s.Index, n)
		}
		if seen[s.Index] {
			continue
		}
		seen[s.Index] = true
		sel = append(sel, s)
		if len(sel) == t {
			break
		}
	}
	if len(sel) < t {
		return nil, fmt.Errorf("%w: %d distinct shares, need %d", ErrNotEnoughShares, len(sel), t)
	}
	for i := 1; i < len(sel); i++ { // insertion sort: t is small
		for j := i; j > 0 && sel[j].Index < sel[j-1].Index; j-- {
			sel[j], sel[j-1] = sel[j-1], sel[j]
		}
	}
	return sel, nil
}

// maxCachedSets bounds a planCache; with n = 7 and t = 5 there are only 21 sets.
const maxCachedSets = 4096

// planCache memoizes the combine plan (Lagrange coefficients at zero) of each index set a key
// has combined, so the steady state does no field inversions or big-integer work. The cached
// plans are shared and must not be modified.
type planCache[P any] struct {
	mu      sync.RWMutex
	entries map[string]*P
	build   func(xs []int) P
}

func newPlanCache[P any](build func(xs []int) P) *planCache[P] {
	return &planCache[P]{entries: make(map[string]*P), build: build}
}

// get returns the plan for the indices of sel, in the order of sel.
func (c *planCache[P]) get(sel []Share) *P {
	key := make([]byte, 0, 2*len(sel))
	xs := make([]int, len(sel))
	for i, s := range sel {
		key = binary.BigEndian.AppendUint16(key, uint16(s.Index))
		xs[i] = s.Index
	}
	c.mu.RLock()
	plan, ok := c.entries[string(key)]
	c.mu.RUnlock()
	if ok {
		return plan
	}
	built := c.build(xs)
	plan = &built
	c.mu.Lock()
	if len(c.entries) < maxCachedSets {
		c.entries[string(key)] = plan
	}
	c.mu.Unlock()
	return plan
}

// firstIndices returns 1..t, the index set UnmarshalPublic interpolates from.
func firstIndices(t int) []int {
	xs := make([]int, t)
	for i := range xs {
		xs[i] = i + 1
	}
	return xs
}
