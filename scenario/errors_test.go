package scenario

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	const head = "Set Number,Transactions,Live,Byzantine,Attack\n"
	cases := []struct {
		name string
		src  string
		want string
	}{
		{"unknown replica", head + "1,(A, B, 1),[n1],[],[]\n,(B),,,\n\n,(C),,,\n,(D),,,\n" +
			"2,(A),[n1, n9],[],[]\n", `x.csv:7: unknown replica "n9" (want n1..n7) in live list`},
		{"replica zero", "1,(A),[n0],[],[]\n", `x.csv:1: unknown replica "n0" (want n1..n7) in live list`},
		{"replica name", "1,(A),[n1],[node2],[]\n", `x.csv:1: unknown replica "node2" (want n1..n7) in Byzantine list`},
		{"replica sign", "1,(A),[+3],[],[]\n", `x.csv:1: unknown replica "+3" (want n1..n7) in live list`},
		{"empty replica name", "1,(A),[n],[],[]\n", `x.csv:1: unknown replica "n" (want n1..n7) in live list`},
		{"duplicate replica", "1,(A),\"[n1, S1]\",[],[]\n", `x.csv:1: replica n1 named twice in live list`},
		{"transaction before set", head + ",(A, B, 1),,,\n",
			`x.csv:2: transaction row before any set (the first row of a set needs a set number)`},
		{"unknown attack", "\n1,(A),[n1],[n1],[time; foo]\n",
			`x.csv:2: unknown attack "foo" (want sign, crash, dark(...), time, equivocation(...), stale-read)`},
		{"unknown attack with args", "1,(A),[n1],[n1],[foo(n1)]\n",
			`x.csv:1: unknown attack "foo(n1)" (want sign, crash, dark(...), time, equivocation(...), stale-read)`},
		{"attack without needed targets", "1,(A),[n1],[n1],[dark]\n", `x.csv:1: attack "dark" needs replicas, e.g. dark(n6)`},
		{"attack with empty targets", "1,(A),[n1],[n1],[equivocation()]\n",
			`x.csv:1: attack "equivocation" needs replicas, e.g. equivocation(n6)`},
		{"attack with unwanted targets", "1,(A),[n1],[n1],[sign(n2)]\n", `x.csv:1: attack "sign" takes no replicas: "sign(n2)"`},
		{"attack target unknown", "1,(A),[n1],[n1],[dark(n8)]\n",
			`x.csv:1: unknown replica "n8" (want n1..n7) in attack dark`},
		{"attack trailing text", "1,(A),[n1],[n1],\"[dark(n1) x]\"\n", `x.csv:1: malformed attack "dark(n1) x": text after ')'`},
		{"unbalanced parentheses unquoted", head + "1,(A, B, 1,[n1],[],[]\n", `x.csv:2: unbalanced parentheses`},
		{"unbalanced parentheses quoted", "1,\"(A, B, 1\",[n1],[],[]\n",
			`x.csv:1: unbalanced parentheses in transaction "(A, B, 1"`},
		{"extra closing parenthesis", "1,(A)),[n1],[],[]\n", `x.csv:1: unbalanced parentheses`},
		{"unbalanced brackets unquoted", "1,(A),[n1, n2,[],[]\n", `x.csv:1: unbalanced brackets`},
		{"unbalanced brackets quoted", "1,(A),\"[n1, n2\",[],[]\n", `x.csv:1: unbalanced brackets in live list "[n1, n2"`},
		{"unbalanced attack quoted", "1,(A),[n1],[],\"[dark(n1]\"\n", `x.csv:1: unbalanced brackets in attacks "[dark(n1]"`},
		{"unterminated quote", "1,\"(A, B, 1),[n1],[],[]\n", `x.csv:1: unterminated quote`},
		{"too many columns", "1,(A),[n1],[],[],extra\n",
			`x.csv:1: too many columns (6), want at most 5: set, transaction, live, Byzantine, attacks`},
		{"invalid set number", head + "1,(A),[n1],[],[]\nSet two,(B),[n1],[],[]\n",
			`x.csv:3: invalid set number "Set two" (want a number such as 1 or 10)`},
		{"invalid set number on the first row", "x,(A, B, 1),[n1],[],[]\n",
			`x.csv:1: invalid set number "x" (want a number such as 1 or 10)`},
		{"legacy transfer with two args", "1,\"(A, B)\",[n1],[],[]\n",
			`x.csv:1: malformed operation "(A, B)": legacy operation has 2 arguments, want (sender, receiver, amount) or (account)`},
		{"empty argument", "1,\"(A,,1)\",[n1],[],[]\n", `x.csv:1: malformed operation "(A,,1)": empty argument`},
		{"empty op args", "1,Balance(),[n1],[],[]\n", `x.csv:1: malformed operation "Balance()": empty argument`},
		{"bare text", "1,A,[n1],[],[]\n",
			`x.csv:1: malformed operation "A": want Name(args), (sender, receiver, amount) or (account)`},
		{"bad name", "1,Send-Payment(A),[n1],[],[]\n", `x.csv:1: malformed operation "Send-Payment(A)": bad operation name "Send-Payment"`},
		{"bad argument", "1,\"(A; B; 1)\",[n1],[],[]\n", `x.csv:1: malformed operation "(A; B; 1)": bad character ';' in argument "A; B; 1"`},
		{"nested arguments", "1,Pay(A(B)),[n1],[],[]\n", `x.csv:1: malformed operation "Pay(A(B))": nested brackets in arguments`},
		{"empty operation", "1,\"(A),,(B)\",[n1],[],[]\n", `x.csv:1: empty operation in "(A),,(B)"`},
		{"row without transaction", "1,(A),[n1],[],[]\n,,[n1],,\n", `x.csv:2: row has no transaction`},
		{"continuation changes lists", "1,(A),[n1],[],[]\n\n,(B),[n2],,\n",
			`x.csv:3: row without a set number changes the lists of set 1 (line 1); start a new set`},
		{"empty file", "", `x.csv: no scenario sets (want rows like 1,"(A, B, 1)","[n1, n2]",[],[])`},
		{"header only", head, `x.csv: no scenario sets (want rows like 1,"(A, B, 1)","[n1, n2]",[],[])`},
		{"blank only", "\n\r\n,,,,\n", `x.csv: no scenario sets (want rows like 1,"(A, B, 1)","[n1, n2]",[],[])`},
		{"semicolon separated", "1;(A, B, 1);[n1];[];[]\n",
			`x.csv:1: cells are separated by commas, not semicolons: want rows like 1,"(A, B, 1)","[n1, n2]",[],[]`},
		{"tab separated", "Set\tTransactions\n1\t(A)\t[n1]\t[]\t[]\n",
			`x.csv:1: cells are separated by commas, not tabs: want rows like 1,"(A, B, 1)","[n1, n2]",[],[]`},
		{"CRLF line numbers", "1,(A),[n1],[],[]\r\n\r\n,(B),[n1],[n9],\r\n",
			`x.csv:3: unknown replica "n9" (want n1..n7) in Byzantine list`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse(strings.NewReader(c.src), "x.csv")
			if err == nil {
				t.Fatalf("parsed %+v, want error %s", f, c.want)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %s\nwant %s", err, c.want)
			}
			var perr *Error
			if !errors.As(err, &perr) || perr.File != "x.csv" {
				t.Errorf("error %T %v is not an *Error for x.csv", err, err)
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	cases := map[string]*Error{
		"f.csv:3: bad": {File: "f.csv", Line: 3, Msg: "bad"},
		"f.csv: bad":   {File: "f.csv", Msg: "bad"},
		"line 3: bad":  {Line: 3, Msg: "bad"},
		"bad":          {Msg: "bad"},
	}
	for want, e := range cases {
		if e.Error() != want {
			t.Errorf("%+v prints %q, want %q", *e, e.Error(), want)
		}
	}
}

func TestLineTooLong(t *testing.T) {
	src := "1,(A),[n1],[],[]\n" + strings.Repeat("x", maxLine+1)
	_, err := Parse(strings.NewReader(src), "long.csv")
	if err == nil || !strings.HasPrefix(err.Error(), "long.csv:2: line longer than") {
		t.Errorf("err = %v, want line-too-long error on line 2", err)
	}
}

func TestParseFileMissing(t *testing.T) {
	_, err := ParseFile("testdata/does-not-exist.csv")
	if err == nil || !strings.Contains(err.Error(), "testdata/does-not-exist.csv") {
		t.Errorf("err = %v, want an error naming the file", err)
	}
}

func TestNegativeReplicas(t *testing.T) {
	_, err := ParseOptions{Replicas: -1}.Parse(strings.NewReader("1,(A),[],[],[]\n"), "x.csv")
	if err == nil || err.Error() != "x.csv: replica count -1 is negative" {
		t.Errorf("err = %v", err)
	}
}
