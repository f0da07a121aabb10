package byzantine

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		attacks []string
		want    string // Name of the behaviour
	}{
		{nil, "honest"},
		{[]string{""}, "honest"},
		{[]string{"sign"}, "sign"},
		{[]string{"CRASH"}, "crash"},
		{[]string{" time "}, "time"},
		{[]string{"dark(n6)"}, "dark(n6)"},
		{[]string{"dark(n1, n2)"}, "dark(n1, n2)"},
		{[]string{"dark(S1;2)"}, "dark(n1, n2)"},
		{[]string{"equivocation(n6, n7)"}, "equivocation(n6, n7)"},
		{[]string{"time", "dark(n6)", "equivocation(n7)"}, "time; dark(n6); equivocation(n7)"},
		{[]string{"stale-read"}, "stale-read"},
		{[]string{"Stale-Read", "crash"}, "stale-read; crash"},
	}
	for _, c := range cases {
		b, err := Parse(c.attacks, 1, 7, 400)
		if err != nil {
			t.Errorf("%q: %v", c.attacks, err)
			continue
		}
		if got := Name(b); got != c.want {
			t.Errorf("%q: got %q, want %q", c.attacks, got, c.want)
		}
		again, err := Parse(strings.Split(Name(b), "; "), 1, 7, 400)
		if c.want != "honest" && (err != nil || Name(again) != c.want) {
			t.Errorf("%q does not parse back: %v %q", Name(b), err, Name(again))
		}
	}
}

func TestParseTimeUsesTheTimeout(t *testing.T) {
	b, err := Parse([]string{"time"}, 1, 7, 200)
	if err != nil {
		t.Fatal(err)
	}
	if d := b.(Time).DelayTicks; d != 25 {
		t.Fatalf("delay %d ticks, want 200/8 = 25", d)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		attacks []string
		self    int
		want    string
	}{
		{[]string{"flood"}, 1, "unknown attack"},
		{[]string{"dark"}, 1, "needs replicas"},
		{[]string{"dark()"}, 1, "needs replicas"},
		{[]string{"equivocation"}, 1, "needs replicas"},
		{[]string{"sign(n2)"}, 1, "takes no replicas"},
		{[]string{"stale-read(n2)"}, 1, "takes no replicas"},
		{[]string{"dark(n8)"}, 1, "unknown replica"},
		{[]string{"dark(n0)"}, 1, "unknown replica"},
		{[]string{"dark(x)"}, 1, "unknown replica"},
		{[]string{"dark(n1"}, 1, "missing ')'"},
		{[]string{"sign"}, 8, "outside"},
		{[]string{"sign"}, 0, "outside"},
	}
	for _, c := range cases {
		_, err := Parse(c.attacks, nodeID(c.self), 7, 400)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q on n%d: error %v, want %q", c.attacks, c.self, err, c.want)
		}
	}
	if _, err := Parse([]string{"time"}, 1, 7, 0); err == nil {
		t.Error("time with a zero timeout accepted")
	}
}

func TestParseAttacksMergesAndPrints(t *testing.T) {
	got, err := ParseAttacks("[Dark(S3); time, dark(n1, n3); EQUIVOCATION(7 6)]", 7)
	if err != nil {
		t.Fatal(err)
	}
	var printed []string
	for _, a := range got {
		printed = append(printed, a.String())
	}
	if want := "dark(n1, n3); time; equivocation(n6, n7)"; strings.Join(printed, "; ") != want {
		t.Errorf("got %q, want %q", strings.Join(printed, "; "), want)
	}
	for text, want := range map[string]string{
		"dark(n1) x": "text after ')'", "dark(n1": "missing ')'", "dark(n2, n2)": "named twice",
		"sign(n2)": "takes no replicas", "dark()": "needs replicas", "flood": "unknown attack",
	} {
		if _, err := ParseAttacks(text, 7); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
}
