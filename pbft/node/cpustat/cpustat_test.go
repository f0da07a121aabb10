package cpustat

import (
	"crypto/sha256"
	"runtime"
	"testing"
	"time"
)

func TestParseHost(t *testing.T) {
	stat := []byte("cpu  100 5 50 800 20 3 2 10 7 0\ncpu0 50 2 25 400 10 1 1 5 3 0\nintr 1 2 3\n")
	h, ok := parseHost(stat)
	if !ok {
		t.Fatal("not parsed")
	}
	// busy: user 100 + nice 5 + system 50 + irq 3 + softirq 2 + steal 10 = 170 ticks;
	// total: 170 + idle 800 + iowait 20 = 990 ticks (guest 7 is inside user).
	if h.Busy != 1700*time.Millisecond || h.Total != 9900*time.Millisecond {
		t.Fatalf("got %+v", h)
	}
	for _, bad := range []string{"", "cpu 1 2 3\n", "cpu a b c d e f g h\n", "cpu0 1 2 3 4 5 6 7 8\n"} {
		if _, ok := parseHost([]byte(bad)); ok {
			t.Fatalf("%q parsed", bad)
		}
	}
}

func TestShare(t *testing.T) {
	before := Host{Busy: 10 * time.Second, Total: 40 * time.Second}
	after := Host{Busy: 28 * time.Second, Total: 60 * time.Second}
	busy, mine, ok := Share(before, after, 15*time.Second)
	if !ok || busy != 0.9 || mine != 0.75 {
		t.Fatalf("busy %v mine %v ok %v", busy, mine, ok)
	}
	if _, _, ok := Share(after, after, 0); ok {
		t.Fatal("an empty window gave a share")
	}
}

// TestSelfCountsWork: the process's CPU time grows while it works. The loop hashes until
// 30 ms of CPU are counted; a Self that does not count fails at the 10 s deadline.
func TestSelfCountsWork(t *testing.T) {
	if runtime.GOOS == "windows" || Self() == 0 {
		t.Skip("no process CPU time here")
	}
	before := Self()
	deadline := time.Now().Add(10 * time.Second)
	buf := make([]byte, 4096)
	for Self()-before < 30*time.Millisecond {
		if time.Now().After(deadline) {
			t.Fatalf("10 s of hashing counted as %v of CPU", Self()-before)
		}
		for range 100 {
			s := sha256.Sum256(buf)
			buf[0] = s[0]
		}
	}
}
