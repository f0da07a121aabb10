package transport

import (
	"runtime"
	"testing"
)

// sessionBudget is what docs/design.md ("Bounds at the edges") promises a client connection
// at a replica: its read and write buffers and its queue of DefaultQueueLen frames (a slice
// header each), with a little room for the rest of a session.
const sessionBudget = 2*ioBufferSize + DefaultQueueLen*24 + 32<<10

// A multiplexed session at a replica costs what a plain client connection does: before,
// each allocated a queue of 32,768 frames (768 KiB), and 4,096 sessions took 3.8 GB.
func TestMuxSessionMemory(t *testing.T) {
	const sessions = 40
	many := func(c *Config) { c.Limits.MaxConnsPerClient = sessions }
	nodes, addrs := startCluster(t, 1, fastTuning, many)
	before := heapInUse()
	for range sessions {
		dialMuxRaw(t, addrs[1], "A", "B", "C", "D")
	}
	waitFor(t, "every session up", func() bool { return nodes[0].Stats().ClientConns == sessions })
	per := (heapInUse() - before) / sessions
	t.Logf("%d bytes per session", per)
	if per > sessionBudget {
		t.Fatalf("a multiplexed session costs %d bytes of heap, want at most %d", per, sessionBudget)
	}
}

func heapInUse() int {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int(m.HeapInuse)
}
