package pbft_test

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// Catch-up against a faulty peer: what a FETCH makes a replica serve, what a FETCH-REPLY makes
// it install, and how far and how long a claimed target makes it fetch. Certificates are fake
// (the runtime verifies them before Step); the tests drive single replicas directly.

// stagingBank is a bank that counts how its state is encoded, restored and staged; it is a
// pbft.StagedRestorer that stages into a fresh smallbank.Bank.
type stagingBank struct {
	*smallbank.Bank
	snapshots, restores, stages int
}

func (a *stagingBank) Snapshot() []byte { a.snapshots++; return a.Bank.Snapshot() }

func (a *stagingBank) Restore(b []byte) error { a.restores++; return a.Bank.Restore(b) }

func (a *stagingBank) StageRestore(b []byte) (pbft.Digest, func(), error) {
	a.stages++
	fresh := smallbank.NewBank()
	if err := fresh.Restore(b); err != nil {
		return pbft.Digest{}, nil, err
	}
	return fresh.Digest(), func() { a.Bank = fresh }, nil
}

// plainBank is a bank behind the bare Application interface (no Freezer, no StagedRestorer).
type plainBank struct{ b *smallbank.Bank }

func (a *plainBank) Execute(c pbft.ClientID, op []byte) []byte { return a.b.Execute(c, op) }
func (a *plainBank) Query(op []byte) []byte                    { return a.b.Query(op) }
func (a *plainBank) Digest() pbft.Digest                       { return a.b.Digest() }
func (a *plainBank) Snapshot() []byte                          { return a.b.Snapshot() }
func (a *plainBank) Restore(snap []byte) error                 { return a.b.Restore(snap) }

// bankWith returns a bank with accounts A and B holding the given checking balances.
func bankWith(t *testing.T, a, b int64) *smallbank.Bank {
	t.Helper()
	bank := smallbank.NewBank()
	if err := bank.Open("A", a, 0); err != nil {
		t.Fatal(err)
	}
	if err := bank.Open("B", b, 0); err != nil {
		t.Fatal(err)
	}
	return bank
}

// lone is replica id of n = 7 (f = 2) with app, driven alone.
func lone(t *testing.T, id pbft.NodeID, app pbft.Application) *pbft.Replica {
	t.Helper()
	r, err := pbft.New(pbft.TestConfig(id, 2, app))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// stateAt is a snapshot of a state other than the genesis one, certified at slot s, as an
// honest peer would serve it.
func stateAt(t *testing.T, s pbft.Seq, a, b int64) *pbft.Snapshot {
	t.Helper()
	src := lone(t, 2, bankWith(t, a, b))
	cert := pbft.CheckpointCert{Seq: s, State: src.StateDigest(), Sig: []byte("fake-cert")}
	return &pbft.Snapshot{Cert: cert, State: src.SnapshotBytes()}
}

// fetches returns the FETCHes in a Ready, with their destinations.
func fetches(rd pbft.Ready) (out []pbft.Envelope) {
	for _, env := range rd.Messages {
		if _, ok := env.Msg.(*pbft.Fetch); ok {
			out = append(out, env)
		}
	}
	return out
}

// fetchOne steps m into r and returns the one FETCH it sends.
func fetchOne(t *testing.T, r *pbft.Replica, from pbft.NodeID, m pbft.Message) (pbft.NodeID, *pbft.Fetch) {
	t.Helper()
	r.Step(from, m)
	fs := fetches(r.TakeReady())
	if len(fs) != 1 {
		t.Fatalf("%d FETCHes sent, want 1", len(fs))
	}
	return fs[0].To, fs[0].Msg.(*pbft.Fetch)
}

// committedNoop is a committed empty slot s with a (fake) commit certificate.
func committedNoop(s pbft.Seq) pbft.CommittedSlot {
	d := pbft.BatchDigest(nil)
	return pbft.CommittedSlot{
		PrePrepare: pbft.PrePrepare{View: 1, Seq: s, Digest: d},
		Cert:       pbft.Cert{Type: pbft.CommitCert, View: 1, Seq: s, Digest: d, Sig: []byte("fake-cert")},
	}
}

// TestUnsolicitedFetchReplyIsDropped: a FETCH-REPLY that no FETCH asked for changes nothing
// and costs nothing, even with a real certificate and a valid snapshot, or far slots.
func TestUnsolicitedFetchReplyIsDropped(t *testing.T) {
	app := &stagingBank{Bank: bankWith(t, 10, 10)}
	r := lone(t, 1, app)
	genesis := r.StateDigest()
	r.Step(2, &pbft.FetchReply{Snapshot: stateAt(t, 10, 3, 17)})
	r.Step(3, &pbft.FetchReply{Slots: []pbft.CommittedSlot{committedNoop(1), committedNoop(1 << 40)}})
	if r.Executed() != 0 || r.StateDigest() != genesis || r.Retained() != 0 {
		t.Fatalf("unsolicited replies installed: executed %d, %d slots retained", r.Executed(), r.Retained())
	}
	if app.snapshots+app.restores+app.stages != 0 {
		t.Fatalf("unsolicited reply cost %d encodes, %d restores, %d stagings", app.snapshots, app.restores, app.stages)
	}
	if got := r.Stats().RejectedMessages; got != 2 {
		t.Fatalf("%d messages rejected, want 2", got)
	}
}

// TestFetchedSnapshotIsStagedBeforeInstall: a snapshot that does not match its certificate is
// checked in a staged state, so it costs neither an encoding of the current state nor a
// rollback; the next peer's good snapshot is then installed.
func TestFetchedSnapshotIsStagedBeforeInstall(t *testing.T) {
	app := &stagingBank{Bank: bankWith(t, 10, 10)}
	r := lone(t, 1, app)
	genesis := r.StateDigest()
	good := stateAt(t, 10, 3, 17)
	peer, _ := fetchOne(t, r, 5, &good.Cert)
	bad := &pbft.Snapshot{Cert: good.Cert, State: stateAt(t, 10, 4, 16).State} // decodes, wrong digest
	r.Step(peer, &pbft.FetchReply{Snapshot: bad})
	if r.Executed() != 0 || r.StateDigest() != genesis {
		t.Fatalf("bad snapshot installed: executed %d", r.Executed())
	}
	if app.snapshots != 0 || app.restores != 0 || app.stages != 1 {
		t.Fatalf("bad snapshot cost %d encodes and %d restores (want 0, 0) and %d stagings (want 1)",
			app.snapshots, app.restores, app.stages)
	}
	fs := fetches(r.TakeReady())
	if len(fs) != 1 || fs[0].To == peer {
		t.Fatalf("after a bad snapshot: %d FETCHes, want one to another peer than %s", len(fs), peer)
	}
	r.Step(fs[0].To, &pbft.FetchReply{Snapshot: good})
	if r.Executed() != 10 || r.StateDigest() != good.Cert.State || r.StableCheckpoint().Seq != 10 {
		t.Fatalf("good snapshot not installed: executed %d", r.Executed())
	}
	if app.snapshots != 0 || app.restores != 0 || app.stages != 2 || r.Stats().Snapshots != 1 {
		t.Fatalf("good snapshot: %d encodes, %d restores, %d stagings, stats %+v", app.snapshots, app.restores, app.stages, r.Stats())
	}
}

// TestFetchedSnapshotWithoutStagerRollsBack: an application that is not a StagedRestorer is
// restored in place and rolled back on a mismatch, as before.
func TestFetchedSnapshotWithoutStagerRollsBack(t *testing.T) {
	r := lone(t, 1, &plainBank{b: bankWith(t, 10, 10)})
	genesis := r.StateDigest()
	good := stateAt(t, 10, 3, 17)
	peer, _ := fetchOne(t, r, 5, &good.Cert)
	r.Step(peer, &pbft.FetchReply{Snapshot: &pbft.Snapshot{Cert: good.Cert, State: []byte("garbage")}})
	if r.Executed() != 0 || r.StateDigest() != genesis {
		t.Fatal("garbage snapshot changed the state")
	}
	next := fetches(r.TakeReady())[0].To // the next peer in turn
	r.Step(next, &pbft.FetchReply{Snapshot: &pbft.Snapshot{Cert: good.Cert, State: stateAt(t, 10, 4, 16).State}})
	if r.Executed() != 0 || r.StateDigest() != genesis {
		t.Fatal("a snapshot with another digest was installed")
	}
	fs := fetches(r.TakeReady())
	r.Step(fs[0].To, &pbft.FetchReply{Snapshot: good})
	if r.Executed() != 10 || r.StateDigest() != good.Cert.State {
		t.Fatalf("good snapshot not installed: executed %d", r.Executed())
	}
}

// TestFetchReplyInstallsOnlyTheRangeAsked: the peer asked cannot make a replica allocate slots
// outside the FETCH's range, nor send more slots than it asked for.
func TestFetchReplyInstallsOnlyTheRangeAsked(t *testing.T) {
	r := lone(t, 1, bankWith(t, 10, 10))
	cert := pbft.CheckpointCert{Seq: 20, State: pbft.Digest{9}, Sig: []byte("fake-cert")}
	peer, f := fetchOne(t, r, 5, &cert)
	if f.From != 1 || f.To != 20 {
		t.Fatalf("FETCH %d..%d, want 1..20", f.From, f.To)
	}
	far := []pbft.CommittedSlot{committedNoop(21), committedNoop(1000), committedNoop(1 << 40)}
	r.Step(peer, &pbft.FetchReply{Slots: far})
	if r.Retained() != 0 || r.Stats().Fetched != 0 {
		t.Fatalf("slots outside 1..20 installed: %d retained", r.Retained())
	}
	next := fetches(r.TakeReady())[0]
	many := make([]pbft.CommittedSlot, 21) // one more than asked for
	for i := range many {
		many[i] = committedNoop(pbft.Seq(i%20 + 1))
	}
	r.Step(next.To, &pbft.FetchReply{Slots: many})
	if r.Executed() != 0 || r.Stats().Fetched != 0 {
		t.Fatalf("an oversized reply was used: executed %d", r.Executed())
	}
	last := fetches(r.TakeReady())[0]
	r.Step(last.To, &pbft.FetchReply{Slots: many[:20]})
	if r.Executed() != 20 || r.Stats().Fetched != 20 {
		t.Fatalf("the slots asked for: executed %d, fetched %d, want 20", r.Executed(), r.Stats().Fetched)
	}
}

// TestFarClaimIsFetchedBoundedAndDropped: checkpoint shares for a far slot from f+1 peers (one
// alone is ignored, see TestR5FarCheckpointNeedsFPlusOneClaims) make a replica ask for at
// most a window's worth of slots, of each other replica once, and then drop the claim when no
// one serves it; a real certificate afterwards is still fetched.
func TestFarClaimIsFetchedBoundedAndDropped(t *testing.T) {
	r := lone(t, 1, bankWith(t, 10, 10))
	cfg := pbft.TestConfig(1, 2, nil)
	var sent []pbft.Envelope
	for id := pbft.NodeID(5); id <= 7; id++ {
		r.Step(id, &pbft.Checkpoint{Seq: 10 << 40, State: pbft.Digest{7}, Share: []byte{1}})
		sent = append(sent, fetches(r.TakeReady())...)
	}
	for range 20 * cfg.FetchTicks {
		r.Tick()
		sent = append(sent, fetches(r.TakeReady())...)
	}
	asked := map[pbft.NodeID]bool{}
	for _, env := range sent {
		f := env.Msg.(*pbft.Fetch)
		if f.From != 1 || f.To-f.From+1 > min(pbft.MaxFetchSlots, cfg.Window) {
			t.Fatalf("FETCH %d..%d: more than a window past the executed slot", f.From, f.To)
		}
		asked[env.To] = true
	}
	if len(sent) != cfg.N-1 || len(asked) != cfg.N-1 {
		t.Fatalf("%d FETCHes to %d peers for a claim no one serves, want one to each of the %d others",
			len(sent), len(asked), cfg.N-1)
	}
	cert := pbft.CheckpointCert{Seq: 10, State: pbft.Digest{9}, Sig: []byte("fake-cert")}
	if _, f := fetchOne(t, r, 3, &cert); f.To != 10 {
		t.Fatalf("after the claim was dropped, FETCH %d..%d, want 1..10", f.From, f.To)
	}
}
