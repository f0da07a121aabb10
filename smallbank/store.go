package smallbank

import "slices"

// Accounts live in chunks of chunkLen that frozen states share copy-on-write (Bank.Freeze): a
// replica freezes its state at every checkpoint, and copying a million accounts there (16 MiB
// then, 24 MiB since accounts carry a version; fresh pages, and the GC assist such an
// allocation draws) stalled its protocol loop for tens of milliseconds. A freeze now copies the
// chunk pointers (8 KiB at a million accounts); the first write to a chunk after a freeze copies
// that chunk (24 KiB) for the bank, and the frozen state keeps the old one.
const (
	chunkBits = 10
	chunkLen  = 1 << chunkBits
	chunkMask = chunkLen - 1
)

type chunk [chunkLen]account

// accountStore is the accounts by index, in chunks. shared[c] is set while chunks[c] may be
// referenced by a frozen state, which must never see it change.
type accountStore struct {
	chunks []*chunk
	shared []bool
	n      int
}

// len is the number of accounts.
func (s *accountStore) len() int { return s.n }

// get returns account i (0 <= i < len).
func (s *accountStore) get(i int32) account { return s.chunks[i>>chunkBits][i&chunkMask] }

// set stores account i (0 <= i < len), copying its chunk first if a frozen state shares it.
func (s *accountStore) set(i int32, a account) {
	c := i >> chunkBits
	if s.shared[c] {
		own := *s.chunks[c]
		s.chunks[c], s.shared[c] = &own, false
	}
	s.chunks[c][i&chunkMask] = a
}

// push appends an account.
func (s *accountStore) push(a account) {
	if s.n&chunkMask == 0 {
		s.chunks = append(s.chunks, new(chunk))
		s.shared = append(s.shared, false)
	}
	s.n++
	s.set(int32(s.n-1), a)
}

// grow makes room for n more accounts without reallocating the chunk list.
func (s *accountStore) grow(n int) {
	want := (s.n + n + chunkMask) >> chunkBits
	s.chunks = slices.Grow(s.chunks, want-len(s.chunks))
	s.shared = slices.Grow(s.shared, want-len(s.shared))
}

// freeze returns the accounts as they are now, which later writes to the store leave unchanged.
func (s *accountStore) freeze() frozenAccounts {
	for c := range s.shared {
		s.shared[c] = true
	}
	return frozenAccounts{chunks: slices.Clone(s.chunks), n: s.n}
}

// view returns the accounts as they are now, valid only until the next write to the store.
func (s *accountStore) view() frozenAccounts { return frozenAccounts{chunks: s.chunks, n: s.n} }

// frozenAccounts is the accounts of a store at a freeze; it is never written to.
type frozenAccounts struct {
	chunks []*chunk
	n      int
}

// get returns account i (0 <= i < n).
func (f frozenAccounts) get(i int32) account { return f.chunks[i>>chunkBits][i&chunkMask] }
