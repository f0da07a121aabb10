package node

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// TestFullRestartFromDataDirs stops all seven replicas after the workload and starts them
// again on their data directories: the bank is intact (before durability it came back empty:
// A=10 again), the replicas agree, and client A's first request replayed (the same bytes: a
// new client A signs t=1 again) does not execute again (A 10 -> 7).
func TestFullRestartFromDataDirs(t *testing.T) {
	base := t.TempDir()
	dataDir := func(o *Options) { o.DataDir = filepath.Join(base, o.ID.String()) }
	c := startClusterWith(t, allReplicas, nil, dataDir)
	runWorkload(t, c)
	awaitBalances(t, c)
	var fsyncs uint64
	for _, m := range metricsOf(t, c) {
		fsyncs += m.Fsyncs
	}
	if fsyncs == 0 {
		t.Fatal("no synced write reported")
	}
	for _, tn := range c.nodes {
		tn.stop(t)
	}
	for id := range c.nodes {
		ln, err := net.Listen("tcp", c.cfg.Replicas[id-1].Addr)
		if err != nil {
			t.Skipf("cannot listen again on %s: %v", c.cfg.Replicas[id-1].Addr, err)
		}
		opts := Options{Config: c.cfg, ID: id, Public: c.keys.Public, Secret: c.keys.Replicas[id-1],
			Logger: testLogger(t), Listener: ln}
		dataDir(&opts)
		c.nodes[id] = startNode(t, opts)
	}
	awaitBalances(t, c)
	ms := metricsOf(t, c)
	for id, m := range ms {
		if m.StateDigest != ms[1].StateDigest || m.ExecutedSlot != ms[1].ExecutedSlot {
			t.Errorf("%s: digest %s slot %d; n1: %s slot %d", id, m.StateDigest, m.ExecutedSlot, ms[1].StateDigest, ms[1].ExecutedSlot)
		}
	}
	// A's t=1 is older than its last executed request (t=2): dropped, never executed again.
	if replay, err := newTestClient(t, c, "A").try(transfer("A", "B", 3), time.Second); err == nil {
		t.Fatalf("the replayed request was answered: %+v", replay)
	}
	awaitBalances(t, c)
}

// TestDataDirOfAnotherReplicaRefused: a replica started on another replica's data directory
// refuses to start, with an error that says so.
func TestDataDirOfAnotherReplicaRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "n2")
	c := startClusterWith(t, []pbft.NodeID{2}, nil, func(o *Options) { o.DataDir = dir })
	c.nodes[2].stop(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = Run(context.Background(), Options{Config: c.cfg, ID: 3, Public: c.keys.Public, Secret: c.keys.Replicas[2],
		Logger: testLogger(t), Listener: ln, DataDir: dir})
	if err == nil || !strings.Contains(err.Error(), "another replica") {
		t.Fatalf("n3 on n2's data directory: %v, want a refusal", err)
	}
}
