package quorum

import "testing"

func TestVotesAddOutcomes(t *testing.T) {
	s := NewVotes[int, string]()
	steps := []struct {
		id   int
		v    string
		want Outcome
	}{
		{1, "a", Added}, {1, "a", Duplicate}, {1, "b", Conflicting}, {2, "b", Added}, {3, "a", Added},
	}
	for i, st := range steps {
		if got := s.Add(st.id, st.v); got != st.want {
			t.Fatalf("step %d: Add(%d, %s) = %d, want %d", i, st.id, st.v, got, st.want)
		}
	}
	if s.Count("a") != 2 || s.Count("b") != 1 || s.Len() != 3 {
		t.Fatalf("counts a=%d b=%d len=%d, want 2 1 3", s.Count("a"), s.Count("b"), s.Len())
	}
	s.Remove(1)
	if s.Count("a") != 1 || s.Len() != 2 {
		t.Fatalf("after Remove: a=%d len=%d, want 1 2", s.Count("a"), s.Len())
	}
	if s.Add(1, "b") != Added || s.Count("b") != 2 {
		t.Fatal("a removed voter may vote again")
	}
}

func TestKthHighest(t *testing.T) {
	cases := []struct {
		vals []int
		k    int
		want int
		ok   bool
	}{
		{[]int{5, 1, 9, 3}, 1, 9, true},
		{[]int{5, 1, 9, 3}, 3, 3, true},
		{[]int{5, 1, 9, 3}, 4, 1, true},
		{[]int{5, 1}, 3, 0, false},
		{nil, 1, 0, false},
		{[]int{2, 2, 2}, 2, 2, true},
		{[]int{4}, 0, 0, false},
	}
	for _, c := range cases {
		got, ok := KthHighest(c.vals, c.k)
		if got != c.want || ok != c.ok {
			t.Fatalf("KthHighest(%v, %d) = %d, %v; want %d, %v", c.vals, c.k, got, ok, c.want, c.ok)
		}
	}
	in := []int{3, 1, 2}
	KthHighest(in, 1)
	if in[0] != 3 || in[1] != 1 || in[2] != 2 {
		t.Fatal("KthHighest reordered its input")
	}
}
