package runner

import (
	"os"
	"strings"
	"testing"
)

// Every set's history is checked: the fake cluster executes operations one at a time, so each
// set is linearizable, in the report and in the summary line.
func TestReportSaysEverySetIsLinearizable(t *testing.T) {
	rep, out, err := runFake(t, twoSets, newFakeCluster(), "", false)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, s := range rep.Sets {
		if !s.Linearizable || s.History != "" {
			t.Errorf("set %s: linearizable %v, history %q", s.Set, s.Linearizable, s.History)
		}
	}
	if n := strings.Count(out, "; history linearizable ("); n != 2 {
		t.Errorf("%d summary lines say the history is linearizable, want 2:\n%s", n, out)
	}
}

// A read that misses a completed deposit fails the check; the report names the HTML
// visualization written beside it.
func TestStaleReadFailsTheSetAndWritesItsHistory(t *testing.T) {
	fc := newFakeCluster()
	fc.staleReads = true
	csv := "1,(DepositChecking(A, 5)),\"[n1, n2, n3, n4, n5, n6, n7]\",[],[]\n,(A),,,\n"
	rep, out, err := runFake(t, csv, fc, "", false)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	s := rep.Sets[0]
	if s.Linearizable || !strings.HasSuffix(s.History, "r-set1-history.html") {
		t.Fatalf("set 1: linearizable %v, history %q; want false and a visualization", s.Linearizable, s.History)
	}
	if st, err := os.Stat(s.History); err != nil || st.Size() == 0 {
		t.Fatalf("visualization %s: %v", s.History, err)
	}
	if !strings.Contains(out, "history NOT linearizable") {
		t.Fatalf("the summary does not say so:\n%s", out)
	}
}
