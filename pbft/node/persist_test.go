package node

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/storage"
)

// gatedStore is a fake storage.Store whose writes wait for the test to open its gate; it
// logs each write as "synced", "unsynced" or "sync".
type gatedStore struct {
	gate    chan struct{}
	mu      sync.Mutex
	ops     []string
	entered []string // writes that reached the gate
}

func (g *gatedStore) note(op string) error {
	g.mu.Lock()
	g.entered = append(g.entered, op)
	g.mu.Unlock()
	<-g.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ops = append(g.ops, op)
	return nil
}

// logOnly logs op without waiting for the gate.
func (g *gatedStore) logOnly(op string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ops = append(g.ops, op)
	return nil
}

func (g *gatedStore) log() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.ops)
}

func (g *gatedStore) Append([]pbft.Record) error         { return g.note("synced") }
func (g *gatedStore) AppendUnsynced([]pbft.Record) error { return g.note("unsynced") }
func (g *gatedStore) Sync() error                        { return g.note("sync") }
func (g *gatedStore) SaveCheckpoint(pbft.Snapshot) error { return g.logOnly("checkpoint") }
func (g *gatedStore) Load() (storage.Loaded, error)      { return storage.Loaded{}, nil }
func (g *gatedStore) Close() error                       { return nil }

// TestSendWait: proposals, votes and view-change messages wait for their Ready's records, and
// certificates, checkpoint shares, catch-up and replies for nothing, unless the Ready installs
// a snapshot.
func TestSendWait(t *testing.T) {
	const job = 7
	cases := []struct {
		msg       pbft.Message
		all, want uint64
	}{
		{&pbft.Prepare{}, 0, job},
		{&pbft.Commit{}, 0, job},
		{&pbft.ViewChange{}, 0, job},
		{&pbft.NewView{}, 0, job},
		{&pbft.PrePrepare{}, 0, job},
		{&pbft.Cert{}, 0, 0},
		{&pbft.Checkpoint{}, 0, 0},
		{&pbft.Status{}, 0, 0},
		{&pbft.Fetch{}, 0, 0},
		{&pbft.Checkpoint{}, job, job},
	}
	for _, c := range cases {
		if got := sendWait(c.msg, job, c.all); got != c.want {
			t.Errorf("%s (all=%d) waits for job %d, want %d", c.msg.Kind(), c.all, got, c.want)
		}
	}
}

// TestPersisterHoldsSendsUntilSynced: a send held for a job runs only once the writer has
// synced it, held sends run in the order they were held, a send for a durable job (or job 0)
// runs at once.
func TestPersisterHoldsSendsUntilSynced(t *testing.T) {
	st := &gatedStore{gate: make(chan struct{})}
	p := newPersister(st, 0, zerolog.Nop(), prometheus.ObserverFunc(func(float64) {}), func(err error) { t.Error(err) })
	defer p.stop()
	var mu sync.Mutex
	var sent []string
	send := func(s string) func() {
		return func() { mu.Lock(); sent = append(sent, s); mu.Unlock() }
	}
	got := func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(sent) }

	j1 := p.submit(&pbft.Ready{Persist: []pbft.Record{{Kind: pbft.RecPrepare, Seq: 1}}}, true)
	j2 := p.submit(&pbft.Ready{Persist: []pbft.Record{{Kind: pbft.RecView, View: 2}}}, true)
	if j1 != 1 || j2 != 2 {
		t.Fatalf("jobs %d %d", j1, j2)
	}
	if j := p.submit(&pbft.Ready{}, false); j != 2 {
		t.Fatalf("a Ready with nothing to write waits for the last job, got %d", j)
	}
	p.after(j1, send("prepare-1"))
	p.after(0, send("reply"))
	p.after(j2, send("view-change"))
	if s := got(); !slices.Equal(s, []string{"reply"}) {
		t.Fatalf("before the sync: sent %v, want only the reply", s)
	}
	close(st.gate)
	eventually(t, "the held sends released", func() (bool, string) {
		s := got()
		return slices.Equal(s, []string{"reply", "prepare-1", "view-change"}), fmt.Sprint(s)
	})
	p.after(j1, send("late"))
	if s := got(); s[len(s)-1] != "late" {
		t.Fatalf("a send for a durable job waited: %v", s)
	}
}

// TestPersisterSyncsOnlyWhatIsAwaited: records no message waits for are written without a
// sync; a binding message of a later Ready with nothing to write makes the writer sync them.
func TestPersisterSyncsOnlyWhatIsAwaited(t *testing.T) {
	st := &gatedStore{gate: make(chan struct{})}
	close(st.gate)
	p := newPersister(st, 0, zerolog.Nop(), nil, func(err error) { t.Error(err) })
	defer p.stop()
	j := p.submit(&pbft.Ready{Persist: []pbft.Record{{Kind: pbft.RecExecuted, Seq: 1}}}, false)
	eventually(t, "the unsynced write", func() (bool, string) {
		return slices.Equal(st.log(), []string{"unsynced"}), fmt.Sprint(st.log())
	})
	var sent atomic.Bool
	p.after(j, func() { sent.Store(true) })
	if sent.Load() {
		t.Fatal("a send left on an unsynced write")
	}
	if w := p.submit(&pbft.Ready{}, true); w != j {
		t.Fatalf("waits for job %d, want %d", w, j)
	}
	eventually(t, "the sync and the send", func() (bool, string) {
		return sent.Load() && slices.Equal(st.log(), []string{"unsynced", "sync"}), fmt.Sprint(st.log())
	})
	if n := p.fsyncs.Load(); n != 1 {
		t.Errorf("%d fsyncs, want 1", n)
	}
}

// TestSnapshotWaitsForItsRecords: a checkpoint snapshot is saved only once the records of the
// Ready that offered it (its executed slot, its stable certificate) are synced, however long
// the write takes: a snapshot durable before them left, after a crash in between, a ledger
// gap at the checkpoint that no certificate covered (found by a chaos run).
func TestSnapshotWaitsForItsRecords(t *testing.T) {
	st := &gatedStore{gate: make(chan struct{})}
	var open sync.Once
	p := newPersister(st, 0, zerolog.Nop(), nil, func(err error) { t.Error(err) })
	defer func() { open.Do(func() { close(st.gate) }); p.stop() }()
	cert := pbft.CheckpointCert{Seq: 1, Sig: []byte("ck")}
	p.submit(&pbft.Ready{
		Persist:    []pbft.Record{{Kind: pbft.RecExecuted, Seq: 1}, {Kind: pbft.RecStable, Seq: 1, Stable: &cert}},
		Checkpoint: &pbft.DurableCheckpoint{Cert: cert, Snapshot: func() []byte { return []byte("state") }},
	}, false)
	// The records do not bind anything, so they would be written unsynced; the snapshot
	// goroutine must ask for a sync (the writer then enters a synced write, or a sync is
	// pending behind the unsynced one) and wait for it. Without that it saves at once.
	eventually(t, "the snapshot goroutine asking for a sync", func() (bool, string) {
		p.mu.Lock()
		syncNow := p.syncNow
		p.mu.Unlock()
		st.mu.Lock()
		defer st.mu.Unlock()
		asked := syncNow || slices.Contains(st.entered, "synced") || slices.Contains(st.ops, "checkpoint")
		return asked, fmt.Sprint(st.entered, st.ops)
	})
	if ops := st.log(); len(ops) != 0 {
		t.Fatalf("saved before its records were written: %v", ops)
	}
	open.Do(func() { close(st.gate) })
	eventually(t, "the snapshot after the synced records", func() (bool, string) {
		ops := st.log()
		want1, want2 := []string{"unsynced", "sync", "checkpoint"}, []string{"synced", "checkpoint"}
		return slices.Equal(ops, want1) || slices.Equal(ops, want2), fmt.Sprint(ops)
	})
}
