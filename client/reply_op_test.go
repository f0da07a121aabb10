package client

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// The ABA case of docs/protocol.md, "Linearizability": A's balance went 10 -> 7 -> 10. Four
// replicas (f = 2 faulty ones and two honest ones still at the opening state) answer a read of
// A with 10 at version 0; the three others with 10 at version 2. Seven replies name the balance
// 10, but no 2f+1 = 5 of them the same state of the account: the read must not complete from
// them (it is ordered, and the ordered answer names version 2). Matching on the balance alone,
// the read would complete read-only from the four stale replies and one current one.
func TestReadRepliesOfEqualBalancesAtOtherVersionsDoNotMatch(t *testing.T) {
	fc := newFakeCluster(t, abaReads, abaReads, abaReads, abaReads)
	a, b := fc.newClient("A", Options{}), fc.newClient("B", Options{})
	if _, err := a.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 3)")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Submit(ctxTimeout(t, testTimeout), encode(t, "(B, A, 3)")); err != nil {
		t.Fatal(err)
	}
	if got := fc.balance("A"); got != 10 {
		t.Fatalf("A holds %d, want it back at 10", got)
	}
	out, err := a.Read(ctxTimeout(t, testTimeout), encode(t, "(A)"))
	if err != nil {
		t.Fatal(err)
	}
	r := result(t, out)
	if out.ReadOnly || r.Value != 10 || r.Version != 2 {
		t.Fatalf("read %+v %+v: want an ordered answer of 10 at version 2, not a quorum of replies at versions 0 and 2", out, r)
	}
	fc.mu.Lock()
	reads := fc.reads
	fc.mu.Unlock()
	if reads == 0 {
		t.Fatal("no replica answered the read: the test did not try the read-only path")
	}
}

// f faulty replicas that name another operation in their replies cannot make a call fail with
// ErrTimestampReused (that takes f+1, one of them honest); the 2f+1 others complete it.
func TestFReplicasNamingAnotherOperationAreNotAReuse(t *testing.T) {
	fc := newFakeCluster(t, otherOp, honest, honest, honest, honest, honest, otherOp)
	c := fc.newClient("A", Options{})
	out, err := c.Submit(ctxTimeout(t, testTimeout), encode(t, "(A, B, 1)"))
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, out); !r.OK || out.Seq != 1 {
		t.Fatalf("transfer %+v %v, want ok at seq 1", out, r)
	}
	out, err = c.Read(ctxTimeout(t, testTimeout), encode(t, "(A)"))
	if err != nil {
		t.Fatal(err)
	}
	if r := result(t, out); r.Value != 9 {
		t.Fatalf("read %+v %v, want 9", out, r)
	}
}

// The replicas that named another operation count once each, however many such replies one
// of them sends, and a replica's reply for the call's own operation counts after one for
// another (a faulty replica's, or a retransmission).
func TestOtherOperationsCountOncePerReplica(t *testing.T) {
	const f = 2
	op, other := pbft.OpDigest([]byte("mine")), pbft.OpDigest([]byte("other"))
	res := smallbank.EncodeResult(smallbank.Result{OK: true})
	reply := func(id pbft.NodeID, d pbft.Digest) *pbft.Reply {
		return &pbft.Reply{View: 1, Replica: id, Client: "A", Timestamp: 7, Result: res, Seq: 3, Op: d}
	}
	k := newCall(3*f + 1)
	k.reset(7, false, replyQuorum(f), op)
	for range 3 {
		k.add(reply(1, other))
		k.add(reply(1, pbft.OpDigest([]byte("a third"))))
	}
	k.add(reply(2, other))
	if k.reused() || k.others != f {
		t.Fatalf("%d replicas counted as naming another operation (reused %v), want %d and not reused", k.others, k.reused(), f)
	}
	for id := pbft.NodeID(1); id <= 2*f+1; id++ {
		k.add(reply(id, op))
	}
	if k.accepted == nil {
		t.Fatal("2f+1 replies for the call's operation, two of them after another one from the same replicas, did not complete it")
	}

	k.reset(8, false, replyQuorum(f), op)
	for id := pbft.NodeID(1); id <= f+1; id++ {
		r := reply(id, other)
		r.Timestamp = 8
		k.add(r)
	}
	if !k.reused() {
		t.Fatal("f+1 replicas named another operation: want reused")
	}
}
