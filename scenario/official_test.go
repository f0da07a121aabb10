package scenario

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// attackList prints a set's attacks as "time; dark(n6)".
func attackList(s Set) string {
	var names []string
	for _, a := range s.Attacks {
		names = append(names, a.String())
	}
	return strings.Join(names, "; ")
}

func TestOfficialTestcases(t *testing.T) {
	for _, path := range []string{"../tests/official-testcases.csv", "../tests/input1.csv"} {
		f, err := ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			line      int
			live      []int
			byzantine []int
			attacks   string
			txns      int
		}{
			{2, []int{1, 2, 3, 4, 5, 6, 7}, []int{}, "", 5},
			{7, []int{1, 2, 3, 4, 5}, []int{}, "", 5},
			{12, []int{1, 2, 3, 4, 5, 6}, []int{2}, "crash", 5},
			{17, []int{1, 2, 3, 4, 5, 6}, []int{1}, "time; dark(n6)", 5},
			{22, []int{1, 2, 3, 4, 5, 6, 7}, []int{1}, "equivocation(n6, n7)", 5},
			{27, []int{1, 2, 3, 4, 5, 6, 7}, []int{1}, "time; dark(n6); equivocation(n7)", 5},
			{32, []int{1, 2, 3, 4, 5}, []int{3}, "sign", 5},
			{37, []int{1, 2, 3, 4, 5, 6}, []int{1}, "equivocation(n5, n6)", 5},
			{42, []int{1, 2, 3, 4, 5, 6, 7}, []int{1, 2}, "crash", 5},
			{47, []int{1, 2, 3, 4, 5, 6, 7}, []int{7}, "dark(n1, n2)", 50},
		}
		if len(f.Sets) != len(want) {
			t.Fatalf("%s: %d sets, want %d", path, len(f.Sets), len(want))
		}
		for i, w := range want {
			s := f.Sets[i]
			if s.Number != fmt.Sprint(i+1) || s.Line != w.line || !slices.Equal(s.Live, w.live) ||
				!slices.Equal(s.Byzantine, w.byzantine) || attackList(s) != w.attacks || len(s.Txns) != w.txns {
				t.Errorf("%s set %d: number %s line %d live %v byz %v attacks %q txns %d; want %+v",
					path, i+1, s.Number, s.Line, s.Live, s.Byzantine, attackList(s), len(s.Txns), w)
			}
		}
		first, last := f.Sets[0].Txns[0], f.Sets[9].Txns[49]
		if first.Text != "(A, B, 1)" || first.Line != 2 || last.Text != "(J, A, 1)" || last.Line != 96 {
			t.Errorf("%s: first txn %+v, last txn %+v", path, first, last)
		}
		if read := f.Sets[0].Txns[4]; !slices.Equal(read.Ops, []string{"(E)"}) || read.Line != 6 {
			t.Errorf("%s: set 1 read %+v", path, read)
		}
	}
}

func TestOfficialDemo(t *testing.T) {
	f, err := ParseFile("../tests/official-demo.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		live      int
		byzantine []int
		attacks   string
		txns      int
	}{
		{5, []int{}, "", 10},
		{6, []int{1}, "time; dark(n6)", 5},
		{7, []int{1}, "equivocation(n6, n7)", 5},
		{7, []int{1, 2}, "crash", 5},
		{7, []int{7}, "dark(n1, n2)", 20},
	}
	if len(f.Sets) != len(want) {
		t.Fatalf("%d sets, want %d", len(f.Sets), len(want))
	}
	for i, w := range want {
		s := f.Sets[i]
		if len(s.Live) != w.live || !slices.Equal(s.Byzantine, w.byzantine) || attackList(s) != w.attacks ||
			len(s.Txns) != w.txns {
			t.Errorf("set %d: live %v byz %v attacks %q txns %d; want %+v",
				i+1, s.Live, s.Byzantine, attackList(s), len(s.Txns), w)
		}
	}
}
