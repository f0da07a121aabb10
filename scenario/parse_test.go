package scenario

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// mustParse parses src or fails the test.
func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse(strings.NewReader(src), "t.csv")
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return f
}

func TestTransactionCells(t *testing.T) {
	cases := []struct {
		cell string
		text string
		ops  []string
	}{
		{`"(A, B, 1)"`, "(A, B, 1)", []string{"(A, B, 1)"}},
		{`(A, B, 1)`, "(A, B, 1)", []string{"(A, B, 1)"}},
		{`(A,B,1)`, "(A,B,1)", []string{"(A,B,1)"}},
		{`  ( A ,  B,1 )  `, "( A ,  B,1 )", []string{"( A ,  B,1 )"}},
		{`(E)`, "(E)", []string{"(E)"}},
		{`"(E)"`, "(E)", []string{"(E)"}},
		{`( E )`, "( E )", []string{"( E )"}},
		{`(1, 2, 5)`, "(1, 2, 5)", []string{"(1, 2, 5)"}},
		{`(12)`, "(12)", []string{"(12)"}},
		{`DepositChecking(C, 25)`, "DepositChecking(C, 25)", []string{"DepositChecking(C, 25)"}},
		{`"DepositChecking(C,25)"`, "DepositChecking(C,25)", []string{"DepositChecking(C,25)"}},
		{`SendPayment(A, B, 3)`, "SendPayment(A, B, 3)", []string{"SendPayment(A, B, 3)"}},
		{`SendPayment(100, 200, 3)`, "SendPayment(100, 200, 3)", []string{"SendPayment(100, 200, 3)"}},
		{`Balance (A)`, "Balance (A)", []string{"Balance (A)"}},
		{`DepositChecking(C, -5)`, "DepositChecking(C, -5)", []string{"DepositChecking(C, -5)"}},
		{`(DepositChecking(C,25)),(Balance(A))`, "(DepositChecking(C,25)),(Balance(A))",
			[]string{"DepositChecking(C,25)", "Balance(A)"}},
		{`"(DepositChecking(C,25)),(Balance(A))"`, "(DepositChecking(C,25)),(Balance(A))",
			[]string{"DepositChecking(C,25)", "Balance(A)"}},
		{`"(DepositChecking(C, 25)), (Balance(A)), (SendPayment(A, B, 3))"`,
			"(DepositChecking(C, 25)), (Balance(A)), (SendPayment(A, B, 3))",
			[]string{"DepositChecking(C, 25)", "Balance(A)", "SendPayment(A, B, 3)"}},
		{`DepositChecking(C,25), Balance(A)`, "DepositChecking(C,25), Balance(A)",
			[]string{"DepositChecking(C,25)", "Balance(A)"}},
		{`(DepositChecking(C,25), Balance(A))`, "(DepositChecking(C,25), Balance(A))",
			[]string{"DepositChecking(C,25)", "Balance(A)"}},
		{`((A, B, 1))`, "((A, B, 1))", []string{"(A, B, 1)"}},
		{`"(A, B, 1), (E)"`, "(A, B, 1), (E)", []string{"(A, B, 1)", "(E)"}},
		// a space after an amount's sign, as smallbank.ParseOp reads it
		{`"TransactSavings(A, - 3)"`, "TransactSavings(A, - 3)", []string{"TransactSavings(A, - 3)"}},
		{`"(A, B, + 3)"`, "(A, B, + 3)", []string{"(A, B, + 3)"}},
	}
	for _, c := range cases {
		f := mustParse(t, "1,"+c.cell+",[n1],[],[]\n")
		got := f.Sets[0].Txns[0]
		if got.Text != c.text || !slices.Equal(got.Ops, c.ops) || got.Line != 1 {
			t.Errorf("cell %s: got %+v, want text %q ops %q", c.cell, got, c.text, c.ops)
		}
	}
}

func TestReplicaLists(t *testing.T) {
	cases := []struct {
		cell string
		want []int
	}{
		{`[n1, n2]`, []int{1, 2}},
		{`"[n1,n2]"`, []int{1, 2}},
		{`[S1, S2]`, []int{1, 2}},
		{`[s3,N4]`, []int{3, 4}},
		{`[3, 4, 7]`, []int{3, 4, 7}},
		{`[n7, n1, n3]`, []int{1, 3, 7}},
		{`[ n1 ; n2 ]`, []int{1, 2}},
		{`[n1 n2]`, []int{1, 2}},
		{`n5`, []int{5}},
		{`"n1, n2"`, []int{1, 2}},
		{`[n01]`, []int{1}},
		{`[]`, []int{}},
		{`"[]"`, []int{}},
		{`""`, []int{}},
		{``, []int{}},
		{`[ ]`, []int{}},
	}
	for _, c := range cases {
		f := mustParse(t, "1,(A),"+c.cell+","+c.cell+",[]\n")
		s := f.Sets[0]
		if !slices.Equal(s.Live, c.want) || !slices.Equal(s.Byzantine, c.want) {
			t.Errorf("list %s: live %v, Byzantine %v; want %v", c.cell, s.Live, s.Byzantine, c.want)
		}
		if s.Live == nil || s.Byzantine == nil {
			t.Errorf("list %s: nil slice, want empty", c.cell)
		}
	}
}

func TestAttackCells(t *testing.T) {
	cases := []struct {
		cell string
		want string // attacks joined by "; "
	}{
		{`[sign]`, "sign"},
		{`[crash]`, "crash"},
		{`[time; dark(n6)]`, "time; dark(n6)"},
		{`"[time; dark(n6)]"`, "time; dark(n6)"},
		{`"[equivocation(n6, n7)]"`, "equivocation(n6, n7)"},
		{`[equivocation(n6, n7)]`, "equivocation(n6, n7)"},
		{`[dark(n1, n2)]`, "dark(n1, n2)"},
		{`time;dark(n2)`, "time; dark(n2)"},
		{`time`, "time"},
		{`[time; dark(n6); equivocation(n7)]`, "time; dark(n6); equivocation(n7)"},
		{`[Sign]`, "sign"},
		{`[TIME;DARK(S6)]`, "time; dark(n6)"},
		{`[dark(6, 2)]`, "dark(n2, n6)"},
		{`[time, sign]`, "time; sign"},
		{`[dark(n1); time; dark(n3, n1)]`, "dark(n1, n3); time"},
		{`[time; sign; time]`, "time; sign"},
		{`[time;]`, "time"},
		{`[stale-read]`, "stale-read"},
		{`[Stale-Read; dark(n6)]`, "stale-read; dark(n6)"},
		{`""`, ""},
		{`[]`, ""},
		{`"[]"`, ""},
		{``, ""},
	}
	for _, c := range cases {
		f := mustParse(t, "1,(A),[n1],[n1],"+c.cell+"\n")
		var names []string
		for _, a := range f.Sets[0].Attacks {
			names = append(names, a.String())
		}
		if got := strings.Join(names, "; "); got != c.want {
			t.Errorf("attacks %s = %q, want %q", c.cell, got, c.want)
		}
		if f.Sets[0].Attacks == nil {
			t.Errorf("attacks %s: nil slice, want empty", c.cell)
		}
	}
}

// summary prints a file compactly: one line per set, then one per transaction.
func summary(f *File) string {
	var b strings.Builder
	for _, s := range f.Sets {
		var attacks []string
		for _, a := range s.Attacks {
			attacks = append(attacks, a.String())
		}
		fmt.Fprintf(&b, "set %s@%d live=%v byz=%v attacks=%s\n", s.Number, s.Line, s.Live, s.Byzantine,
			strings.Join(attacks, ";"))
		for _, tx := range s.Txns {
			fmt.Fprintf(&b, "  %d: %s\n", tx.Line, strings.Join(tx.Ops, " | "))
		}
	}
	return b.String()
}

func TestFileVariants(t *testing.T) {
	const twoSets = "set 1@2 live=[1 2] byz=[] attacks=\n  2: (A, B, 1)\n  3: (E)\n" +
		"set 2@4 live=[1 2 3] byz=[3] attacks=sign\n  4: (C, D, 2)\n"
	const plain = "Set Number,Transactions,Live,Byzantine,Attack\n" +
		"1,\"(A, B, 1)\",\"[n1, n2]\",[],[]\n,(E),,,\n2,\"(C, D, 2)\",\"[n1, n2, n3]\",[n3],[sign]\n"
	cases := []struct {
		name string
		src  string
		want string
	}{
		{"LF with header", plain, twoSets},
		{"CRLF", strings.ReplaceAll(plain, "\n", "\r\n"), twoSets},
		{"CR only", strings.ReplaceAll(plain, "\n", "\r"), twoSets},
		{"BOM", "\uFEFF" + plain, twoSets},
		{"BOM and CRLF", "\uFEFF" + strings.ReplaceAll(plain, "\n", "\r\n"), twoSets},
		{"no final newline", strings.TrimSuffix(plain, "\n"), twoSets},
		{"no final newline CRLF", strings.TrimSuffix(strings.ReplaceAll(plain, "\n", "\r\n"), "\r\n"), twoSets},
		{"no header",
			"\n1,(A, B, 1),[n1, n2],[],[]\n\n,(E),,,\n2,(C, D, 2),[n1, n2, n3],[n3],[sign]\n",
			"set 1@2 live=[1 2] byz=[] attacks=\n  2: (A, B, 1)\n  4: (E)\n" +
				"set 2@5 live=[1 2 3] byz=[3] attacks=sign\n  5: (C, D, 2)\n"},
		{"blank lines and empty rows",
			"\n   \nSet Number,Transactions,Live,Byzantine,Attack\n\n,,,,\n1,(A, B, 1),[n1, n2],[],[]\n \t\n,(E),,,\n,,,,\n\n",
			"set 1@6 live=[1 2] byz=[] attacks=\n  6: (A, B, 1)\n  8: (E)\n"},
		{"four columns with header",
			"Set Number,Transactions,Live,Byzantine\n1,\"(A, B, 1)\",\"[n1, n2]\",[]\n,(E),,\n2,(C, D, 2),\"[n1, n2, n3]\",[n3]",
			"set 1@2 live=[1 2] byz=[] attacks=\n  2: (A, B, 1)\n  3: (E)\n" +
				"set 2@4 live=[1 2 3] byz=[3] attacks=\n  4: (C, D, 2)\n"},
		{"four columns without header",
			"1,(A, B, 1),[n1, n2],[n2]\n,(E),,\n",
			"set 1@1 live=[1 2] byz=[2] attacks=\n  1: (A, B, 1)\n  2: (E)\n"},
		{"short continuation rows and trailing empty columns",
			"1,(A, B, 1),[n1],[],[],,\n,(E)\n,(F),,,,,,\n",
			"set 1@1 live=[1] byz=[] attacks=\n  1: (A, B, 1)\n  2: (E)\n  3: (F)\n"},
		{"sets keep file order",
			"3,(A),[n3],[],[]\n1,(B),[n1],[],[]\n2,(C),[n2],[],[]\n",
			"set 3@1 live=[3] byz=[] attacks=\n  1: (A)\n" +
				"set 1@2 live=[1] byz=[] attacks=\n  2: (B)\n" +
				"set 2@3 live=[2] byz=[] attacks=\n  3: (C)\n"},
		{"duplicate set numbers are separate sets",
			"1,(A),[n1],[],[]\n1,(B),[n2],[],[]\n",
			"set 1@1 live=[1] byz=[] attacks=\n  1: (A)\nset 1@2 live=[2] byz=[] attacks=\n  2: (B)\n"},
		{"continuation rows may repeat the set's lists",
			"1,(A),[n1, n2],[n2],[time]\n,(B),\"[n2,n1]\",[S2],time\n,(C),[n1,n2],[n2],[time]\n",
			"set 1@1 live=[1 2] byz=[2] attacks=time\n  1: (A)\n  2: (B)\n  3: (C)\n"},
		{"set row without a transaction",
			"1,,[n1],[],[]\n,(A),,,\n2,,[n2],[],[]\n",
			"set 1@1 live=[1] byz=[] attacks=\n  2: (A)\nset 2@3 live=[2] byz=[] attacks=\n"},
		{"smallbank ops one per row",
			"Set,Transaction,Live,Byzantine,Attacks\n1,DepositChecking(C, 25),[n1],[],[]\n,\"SendPayment(A, B, 3)\",,,\n,(DepositChecking(C,25)),(Balance(A)),,,\n",
			"set 1@2 live=[1] byz=[] attacks=\n  2: DepositChecking(C, 25)\n  3: SendPayment(A, B, 3)\n" +
				"  4: DepositChecking(C,25) | Balance(A)\n"},
		{"header with empty first cell",
			",Transactions,Live,Byzantine,Attack\n1,(A),[n1],[],[]\n",
			"set 1@2 live=[1] byz=[] attacks=\n  2: (A)\n"},
		{"unquoted lists with commas",
			"1,(A, B, 1),[n1, n2, n3],[n1, n2],[dark(n1, n2); time]\n",
			"set 1@1 live=[1 2 3] byz=[1 2] attacks=dark(n1, n2);time\n  1: (A, B, 1)\n"},
		{"header whose transaction title looks like an operation",
			"Set,Transaction(s),Live Servers,Byzantine Servers,Attack(s)\n1,(A),[n1],[],[]\n",
			"set 1@2 live=[1] byz=[] attacks=\n  2: (A)\n"},
		{"header-like set number is data when the transaction parses",
			"S1,(A),[n1],[],[]\n",
			"set S1@1 live=[1] byz=[] attacks=\n  1: (A)\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := summary(mustParse(t, c.src)); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestParseOptions(t *testing.T) {
	src := "1,(A),[n1, n2, n3, n4],[n4],[dark(n1)]\n"
	f, err := ParseOptions{Replicas: 4}.Parse(strings.NewReader(src), "four.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(f); got != "set 1@1 live=[1 2 3 4] byz=[4] attacks=dark(n1)\n  1: (A)\n" {
		t.Errorf("got %q", got)
	}
	_, err = ParseOptions{Replicas: 4}.Parse(strings.NewReader("1,(A),[n5],[],[]\n"), "four.csv")
	want := `four.csv:1: unknown replica "n5" (want n1..n4) in live list`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	f, err = ParseOptions{Replicas: 10}.Parse(strings.NewReader("1,(A),[n10],[],[]\n"), "ten.csv")
	if err != nil || !slices.Equal(f.Sets[0].Live, []int{10}) {
		t.Errorf("ten replicas: %v, %v", f, err)
	}
}

func TestValidateOpHook(t *testing.T) {
	var seen []string
	opts := ParseOptions{ValidateOp: func(op string) error {
		seen = append(seen, op)
		if strings.HasPrefix(op, "Frobnicate") {
			return errors.New("unknown operation Frobnicate")
		}
		return nil
	}}
	src := "1,(A, B, 1),[n1],[],[]\n,(Balance(A)),(DepositChecking(C,25)),,,\n,Frobnicate(A),,,\n"
	_, err := opts.Parse(strings.NewReader(src), "ops.csv")
	want := `ops.csv:3: operation "Frobnicate(A)": unknown operation Frobnicate`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	if !slices.Equal(seen, []string{"(A, B, 1)", "Balance(A)", "DepositChecking(C,25)", "Frobnicate(A)"}) {
		t.Errorf("validated %q", seen)
	}
}

func TestSetHelpers(t *testing.T) {
	f := mustParse(t, "1,(A),[n1, n2, n3],[n2],[time; dark(n3)]\n")
	s := &f.Sets[0]
	if !s.IsLive(3) || s.IsLive(4) || !s.IsByzantine(2) || s.IsByzantine(1) {
		t.Errorf("IsLive/IsByzantine wrong for %+v", s)
	}
	if a, ok := s.Attack(AttackDark); !ok || !slices.Equal(a.Targets, []pbft.NodeID{3}) {
		t.Errorf("Attack(dark) = %v, %v", a, ok)
	}
	if _, ok := s.Attack(AttackSign); ok {
		t.Error("Attack(sign) found, want absent")
	}
	if got := ReplicaNames([]int{1, 7}); !slices.Equal(got, []string{"n1", "n7"}) {
		t.Errorf("ReplicaNames = %q", got)
	}
}

func TestSemicolonSeparatedTransactions(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"five columns",
			"1,\"(A, C, 1); (C, E, 2)\",\"[n1, n2, n3, n4, n5]\",[n5],[sign]\n",
			"set 1@1 live=[1 2 3 4 5] byz=[5] attacks=sign\n  1: (A, C, 1) | (C, E, 2)\n"},
		{"four columns with Byzantine servers",
			"Set Number,Transactions,Live Servers,Byzantine Servers\n" +
				"1,\"(A, C, 1); (C, E, 2)\",\"[S1, S2, S3, S4, S5, S6]\",\"[S6]\"\n" +
				",\"(E, A, 3);(B)\",,\n",
			"set 1@2 live=[1 2 3 4 5 6] byz=[6] attacks=\n  2: (A, C, 1) | (C, E, 2)\n  3: (E, A, 3) | (B)\n"},
		{"semicolons and commas mixed",
			"1,\"(A, B, 1); DepositChecking(C, 2), (E)\",[n1],[],[]\n",
			"set 1@1 live=[1] byz=[] attacks=\n  1: (A, B, 1) | DepositChecking(C, 2) | (E)\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := summary(mustParse(t, c.src)); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
	if _, err := Parse(strings.NewReader("1,\"(A, B, 1);\",[n1],[],[]\n"), "t.csv"); err == nil ||
		!strings.Contains(err.Error(), "empty operation") {
		t.Errorf("a trailing semicolon: got %v, want an empty-operation error", err)
	}
}

func TestWarnings(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"clean file", "1,(A),[n1, n2],[n2],[sign]\n2,(B),[n1],[],[]\n", nil},
		{"duplicate set number", "1,(A),[n1],[],[]\n2,(B),[n1],[],[]\n1,(C),[n1],[],[]\n",
			[]string{"t.csv:3: set 1: set number used before (line 1); both sets run, in file order"}},
		{"empty live list", "1,(A),[],[],[]\n2,(B),\"\",[],[]\n",
			[]string{"t.csv:1: set 1: empty live list: every replica is down, so no transaction can commit",
				"t.csv:2: set 2: empty live list: every replica is down, so no transaction can commit"}},
		{"Byzantine replica not live", "1,(A),[n1, n2],[n2, n6, n7],[crash]\n",
			[]string{"t.csv:1: set 1: Byzantine n6, n7 not in the live list: a replica that is down runs no attack"}},
		{"attacks without Byzantine replicas", "1,(A),[n1],[],[time; dark(n2)]\n",
			[]string{"t.csv:1: set 1: attacks [time; dark(n2)] but no Byzantine replica: nobody runs them"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, c.src)
			var got []string
			for _, w := range f.Warnings {
				got = append(got, w.Error())
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("warnings\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}
