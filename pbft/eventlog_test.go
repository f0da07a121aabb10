package pbft_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// The event log (command 1) shows every message a replica handled, oldest first, formatted
// when it is read; a small log keeps only the latest lines.
func TestEventLogShowsHandledMessages(t *testing.T) {
	h := newHarness(t, nil)
	h.propose(1, "A", 1, transfer("A", "B", 3))
	h.deliverAll()
	lines := h.reps[1].Log()
	if len(lines) == 0 {
		t.Fatal("empty log")
	}
	var pp string
	for _, l := range lines {
		if strings.Contains(l, "recv PRE-PREPARE") {
			pp = l
		}
	}
	want := regexp.MustCompile(`^n2 v=1 s=1 recv PRE-PREPARE\(v=1, d=[0-9a-f]{8,}, 1 reqs\) from n1$`)
	if !want.MatchString(pp) {
		t.Fatalf("pre-prepare line %q, want %v\nlog:\n%s", pp, want, strings.Join(lines, "\n"))
	}

	small := newHarness(t, func(c *pbft.Config) { c.LogSize = 3 })
	small.propose(1, "A", 1, transfer("A", "B", 3))
	small.deliverAll()
	got := small.reps[1].Log()
	if len(got) != 3 {
		t.Fatalf("log of size 3 holds %d lines", len(got))
	}
	if tail := lines[len(lines)-3:]; strings.Join(got, "\n") != strings.Join(tail, "\n") {
		t.Fatalf("small log %q, want the last lines %q", got, tail)
	}
}
