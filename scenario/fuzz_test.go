package scenario

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse checks that no input panics and that every accepted file is well formed.
func FuzzParse(f *testing.F) {
	for _, path := range []string{"../tests/official-testcases.csv", "../tests/official-demo.csv"} {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(string(data))
		}
	}
	for _, seed := range []string{
		"1,(A, B, 1),[n1, n2],[],[]\n,(E),,,\n",
		"\uFEFFSet,Tx,Live,Byz\r\n1,\"(DepositChecking(C,25)),(Balance(A))\",\"[S1,S2]\",\"\"\r\n",
		"1,(DepositChecking(C,25)),(Balance(A)),[n1],[n1],time;dark(n2)\r2,SendPayment(A, B, 3),[1],[1],\"[equivocation(n6, n7)]\"",
		"1,((A, B, 1)),[n1],[n1],[sign; crash; dark(n1, n2)]\n,,,,\n",
		"1,\"(A,\"\"B\"\",1)\",[n1],[],[]\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse(strings.NewReader(src), "fuzz.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		checkWellFormed(t, file)
	})
}

// checkWellFormed asserts the invariants of a parsed file and that scheduling it cannot fail.
func checkWellFormed(t *testing.T, file *File) {
	t.Helper()
	if len(file.Sets) == 0 {
		t.Fatal("parsed a file without sets")
	}
	for _, s := range file.Sets {
		if s.Line < 1 || !validSetNumber(s.Number) {
			t.Fatalf("bad set header %+v", s)
		}
		checkIDs(t, s.Live)
		checkIDs(t, s.Byzantine)
		var access []Access
		for _, a := range s.Attacks {
			targets := make([]int, len(a.Targets))
			for i, id := range a.Targets {
				targets[i] = int(id)
			}
			checkIDs(t, targets)
			if (a.Name == AttackDark || a.Name == AttackEquivocation) != (len(a.Targets) > 0) {
				t.Fatalf("attack %+v has wrong targets", a)
			}
		}
		for _, tx := range s.Txns {
			if tx.Line < s.Line || len(tx.Ops) == 0 {
				t.Fatalf("bad transaction %+v in set at line %d", tx, s.Line)
			}
			for _, op := range tx.Ops {
				if err := checkOpShape(op); err != nil {
					t.Fatalf("accepted op %q: %v", op, err)
				}
			}
			access = append(access, Access{Client: tx.Ops[0], Accounts: tx.Ops})
		}
		sched, err := NewScheduler(Deps(access))
		if err != nil {
			t.Fatal(err)
		}
		for !sched.Finished() {
			ready := sched.Ready()
			if len(ready) == 0 {
				t.Fatal("scheduler stalled")
			}
			for _, i := range ready {
				if err := sched.Done(i); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func checkIDs(t *testing.T, ids []int) {
	t.Helper()
	for i, id := range ids {
		if id < 1 || id > DefaultReplicas || (i > 0 && ids[i-1] >= id) {
			t.Fatalf("replica ids %v not sorted within 1..%d", ids, DefaultReplicas)
		}
	}
}
