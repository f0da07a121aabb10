// Package quorum counts votes in one place: who voted for what (each voter once, with the
// outcome of every vote: added, duplicate or conflicting), and the k-th highest of a set of
// values, which is how the protocol turns "f+1 distinct replicas say at least x" into x.
//
// It is pure and generic, so that the collector, checkpoints, the view change, catch-up and
// clients share one implementation of the counting rules (docs/protocol.md, "Quorums").
package quorum

import (
	"cmp"
	"slices"
)

// Outcome is what adding a vote did.
type Outcome uint8

// The outcomes of Votes.Add.
const (
	Added       Outcome = iota // the voter's first vote: counted
	Duplicate                  // the voter already voted for the same value: ignored
	Conflicting                // the voter already voted for another value: ignored (and suspicious)
)

// Votes records at most one value per voter and counts the voters of each value. The zero
// value is not usable; make one with NewVotes. Its size is bounded by the number of voters.
type Votes[ID comparable, V comparable] struct {
	by    map[ID]V
	count map[V]int
}

// NewVotes returns an empty vote set.
func NewVotes[ID comparable, V comparable]() *Votes[ID, V] {
	return &Votes[ID, V]{by: map[ID]V{}, count: map[V]int{}}
}

// Add records voter id's vote for v; only the first vote of a voter counts.
func (s *Votes[ID, V]) Add(id ID, v V) Outcome {
	if old, ok := s.by[id]; ok {
		if old == v {
			return Duplicate
		}
		return Conflicting
	}
	s.by[id] = v
	s.count[v]++
	return Added
}

// Count is the number of distinct voters for v.
func (s *Votes[ID, V]) Count(v V) int { return s.count[v] }

// Len is the number of voters.
func (s *Votes[ID, V]) Len() int { return len(s.by) }

// Vote returns voter id's vote.
func (s *Votes[ID, V]) Vote(id ID) (V, bool) {
	v, ok := s.by[id]
	return v, ok
}

// Remove forgets voter id's vote (a share that failed verification).
func (s *Votes[ID, V]) Remove(id ID) {
	if v, ok := s.by[id]; ok {
		delete(s.by, id)
		if s.count[v]--; s.count[v] == 0 {
			delete(s.count, v)
		}
	}
}

// KthHighest returns the k-th highest of vals (k = 1 is the maximum), or false when there are
// fewer than k values. With one value per distinct voter, it is the highest x such that at
// least k voters report x or more: with k = f+1, a value vouched for by an honest voter.
func KthHighest[T cmp.Ordered](vals []T, k int) (T, bool) {
	var zero T
	if k < 1 || len(vals) < k {
		return zero, false
	}
	sorted := slices.Clone(vals)
	slices.SortFunc(sorted, func(a, b T) int { return cmp.Compare(b, a) })
	return sorted[k-1], true
}
