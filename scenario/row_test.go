package scenario

import (
	"slices"
	"testing"
)

func TestSplitRow(t *testing.T) {
	cases := []struct {
		line string
		want []string
	}{
		{`1,"(A, B, 1)","[n1, n2]",[],[]`, []string{"1", "(A, B, 1)", "[n1, n2]", "[]", "[]"}},
		{`1,(A, B, 1),[n1, n2],[],[]`, []string{"1", "(A, B, 1)", "[n1, n2]", "[]", "[]"}},
		{`,(E),,,`, []string{"", "(E)", "", "", ""}},
		{`4,x,[n1],[n1],[time; dark(n6, n7)]`, []string{"4", "x", "[n1]", "[n1]", "[time; dark(n6, n7)]"}},
		{` 1 , "(A,B,1)" ,""`, []string{"1", "(A,B,1)", ""}},
		{`"a""b",c`, []string{`a"b`, "c"}},
		{`(DepositChecking(C,25)),(Balance(A))`, []string{"(DepositChecking(C,25))", "(Balance(A))"}},
		{`,(DepositChecking(C,25)), (Balance(A)),[n1],[]`,
			[]string{"", "(DepositChecking(C,25)), (Balance(A))", "[n1]", "[]"}},
		{`,DepositChecking(C,25),Balance (A),,,`, []string{"", "DepositChecking(C,25),Balance (A)", "", "", ""}},
		{`,(A),[n1],[],dark(n6)`, []string{"", "(A)", "[n1]", "[]", "dark(n6)"}},
		{`1,(A),(B)`, []string{"1", "(A),(B)"}},
		{`(A),(B)`, []string{"(A)", "(B)"}}, // only the transaction column extends
		{``, []string{""}},
		{`"(",)`, nil}, // the quoted "(" is not counted, so ")" is unbalanced
	}
	for _, c := range cases {
		got, err := splitRow(c.line)
		if c.want == nil {
			if err == nil {
				t.Errorf("splitRow(%q) = %q, want error", c.line, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("splitRow(%q) = %q, %v; want %q", c.line, got, err, c.want)
		}
	}
}

func TestSplitRowErrors(t *testing.T) {
	cases := map[string]string{
		`1,(A, B, 1,[n1]`:   "unbalanced parentheses",
		`1,(A, B, 1)),[n1]`: "unbalanced parentheses",
		`1,(A),[n1, n2`:     "unbalanced brackets",
		`1,(A),[n1)`:        "unbalanced parentheses",
		`1,"(A, B, 1),[n1]`: "unterminated quote",
	}
	for line, want := range cases {
		if _, err := splitRow(line); err == nil || err.Error() != want {
			t.Errorf("splitRow(%q) error = %v, want %q", line, err, want)
		}
	}
}
