package pbft_test

import (
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

func TestParseNodeID(t *testing.T) {
	for in, want := range map[string]pbft.NodeID{"n3": 3, "N7": 7, "S2": 2, "s1": 1, "5": 5, " n4 ": 4, "n03": 3} {
		if got, err := pbft.ParseNodeID(in, 7); err != nil || got != want {
			t.Errorf("%q: %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "n", "n0", "n8", "x3", "n3x", "n-1", "n+1", "3.0", "nn3"} {
		_, err := pbft.ParseNodeID(bad, 7)
		if err == nil || !strings.Contains(err.Error(), "unknown replica") {
			t.Errorf("%q: error %v, want unknown replica", bad, err)
		}
	}
}

func TestParseNodeList(t *testing.T) {
	got, err := pbft.ParseNodeList("n6, S2;3\tn1", 7)
	if err != nil || len(got) != 4 || got[0] != 1 || got[1] != 2 || got[2] != 3 || got[3] != 6 {
		t.Fatalf("got %v, %v; want [n1 n2 n3 n6] sorted", got, err)
	}
	if got, err := pbft.ParseNodeList(" ", 7); err != nil || got == nil || len(got) != 0 {
		t.Errorf("blank list: %v, %v; want empty, not nil", got, err)
	}
	if _, err := pbft.ParseNodeList("n1, 1", 7); err == nil || !strings.Contains(err.Error(), "named twice") {
		t.Errorf("n1 twice: %v", err)
	}
	if _, err := pbft.ParseNodeList("n1, n9", 7); err == nil || !strings.Contains(err.Error(), `"n9"`) {
		t.Errorf("n9: %v", err)
	}
}
