package node

import (
	"runtime"
	"testing"
)

func TestLeaderProcsFollowsLeadership(t *testing.T) {
	start := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(start)
	base := 1
	runtime.GOMAXPROCS(base)
	p := newLeaderProcs(3)
	p.follow(false)
	if got := runtime.GOMAXPROCS(0); got != base {
		t.Fatalf("a backup runs with %d Ps, want %d", got, base)
	}
	p.follow(true)
	if got := runtime.GOMAXPROCS(0); got != 3 {
		t.Fatalf("the leader runs with %d Ps, want 3", got)
	}
	p.follow(true)
	p.follow(false)
	if got := runtime.GOMAXPROCS(0); got != base {
		t.Fatalf("a former leader runs with %d Ps, want %d", got, base)
	}
	off := newLeaderProcs(0)
	off.follow(true)
	if got := runtime.GOMAXPROCS(0); got != base {
		t.Fatalf("with the feature off the leader runs with %d Ps, want %d", got, base)
	}
}
