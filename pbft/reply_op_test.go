package pbft_test

import (
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// A reply names the operation it answers (Reply.Op): when a request comes again with an
// executed timestamp, the cached reply names the operation executed at that timestamp, not the
// one the new request carries, so that a client whose key signed two operations with one
// timestamp can tell (client.ErrTimestampReused). A read's reply names the read.
func TestReplyNamesItsOperation(t *testing.T) {
	cfg, _ := durableConfig(3, 1)
	r, err := pbft.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	first := oneRequest(t, "c1", transfer("A", "B", 1))
	d := pbft.BatchDigest(first)
	r.Step(1, &pbft.PrePrepare{View: 1, Seq: 1, Digest: d, Batch: first})
	r.Step(1, &pbft.Cert{Type: pbft.FullCommitProof, View: 1, Seq: 1, Digest: d, Sig: []byte("fake-cert")})
	if r.Executed() != 1 {
		t.Fatalf("executed %d, want slot 1", r.Executed())
	}
	replyTo := func(req pbft.Request) pbft.Reply {
		t.Helper()
		r.TakeReady()
		r.Propose(req)
		rd := r.TakeReady()
		if len(rd.Replies) != 1 {
			t.Fatalf("%d replies to %s t=%d, want 1", len(rd.Replies), req.Client, req.Timestamp)
		}
		return rd.Replies[0]
	}
	again := oneRequest(t, "c1", transfer("A", "B", 7))[0] // same client and timestamp, another operation
	if got, want := replyTo(again).Op, pbft.OpDigest(first[0].Op); got != want {
		t.Fatalf("cached reply names %v, want the executed operation %v", got, want)
	}
	read := oneRequest(t, "c2", smallbank.Op{Kind: smallbank.OpBalance, Account: "A"})[0]
	read.ReadOnly = true
	if got, want := replyTo(read).Op, pbft.OpDigest(read.Op); got != want {
		t.Fatalf("read reply names %v, want the read %v", got, want)
	}
}

func TestOpDigestDoesNotAllocate(t *testing.T) {
	op := make([]byte, pbft.MaxOpBytes)
	if n := testing.AllocsPerRun(100, func() { pbft.OpDigest(op) }); n != 0 {
		t.Fatalf("%v allocations per OpDigest, want 0", n)
	}
	if pbft.OpDigest([]byte("a")) == pbft.OpDigest([]byte("b")) || pbft.OpDigest(make([]byte, 2000)) == pbft.OpDigest(nil) {
		t.Fatal("distinct operations share a digest")
	}
}
