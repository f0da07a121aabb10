package wire

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

type roundTripCase struct {
	name string
	in   pbft.Message
	want pbft.Message // nil: the same as in
}

func roundTripCases() []roundTripCase {
	emptyDigestPP := &pbft.PrePrepare{View: 1, Seq: 1, Digest: pbft.BatchDigest(nil)}
	return []roundTripCase{
		{name: "forward", in: &pbft.ForwardRequest{Req: request(1)}},
		{name: "forward nil op", in: &pbft.ForwardRequest{Req: pbft.Request{Client: "A", Timestamp: 1}}},
		{name: "forward empty op", in: &pbft.ForwardRequest{Req: pbft.Request{Client: "A", Op: []byte{}, Sig: []byte{}}},
			want: &pbft.ForwardRequest{Req: pbft.Request{Client: "A"}}},
		{name: "pre-prepare nil batch", in: emptyDigestPP},
		{name: "pre-prepare empty batch", in: &pbft.PrePrepare{View: 1, Seq: 1, Digest: emptyDigestPP.Digest, Batch: []pbft.Request{}},
			want: emptyDigestPP},
		{name: "pre-prepare one", in: prePrepare(1)},
		{name: "pre-prepare 1000", in: prePrepare(1000)},
		{name: "pre-prepare max ids", in: &pbft.PrePrepare{View: ^pbft.View(0), Seq: ^pbft.Seq(0), Digest: digestOf("x")}},
		{name: "prepare", in: &pbft.Prepare{View: 1, Seq: 2, Digest: digestOf("d"), Tau: filled(50, 1), Sigma: filled(50, 2)}},
		{name: "prepare no shares", in: &pbft.Prepare{View: 1, Seq: 2, Digest: digestOf("d"), Tau: []byte{}},
			want: &pbft.Prepare{View: 1, Seq: 2, Digest: digestOf("d")}},
		{name: "commit", in: &pbft.Commit{View: 1, Seq: 2, Digest: digestOf("d"), Tau: filled(50, 3)}},
		{name: "prepare cert", in: ptr(cert(pbft.PrepareCert, 5))},
		{name: "commit cert", in: ptr(cert(pbft.CommitCert, 6))},
		{name: "full commit proof", in: ptr(cert(pbft.FullCommitProof, 7))},
		{name: "checkpoint", in: &pbft.Checkpoint{Seq: 10, State: digestOf("s"), Share: filled(50, 5)}},
		{name: "checkpoint cert", in: ptr(checkpointCert(10))},
		{name: "genesis checkpoint cert", in: &pbft.CheckpointCert{}},
		{name: "view-change", in: viewChange(3)},
		{name: "view-change bare", in: &pbft.ViewChange{View: 2, Replica: 1}},
		{name: "view-change empty lists",
			in:   &pbft.ViewChange{View: 2, Replica: 1, Prepared: []pbft.PreparedEntry{}, Votes: []pbft.VoteEntry{}, Sig: []byte{}},
			want: &pbft.ViewChange{View: 2, Replica: 1}},
		{name: "new-view", in: &pbft.NewView{View: 5,
			ViewChanges: []pbft.ViewChange{*viewChange(1), *viewChange(2), *viewChange(3)},
			PrePrepares: []pbft.PrePrepare{*prePrepare(2), *emptyDigestPP}}},
		{name: "new-view empty", in: &pbft.NewView{View: 5, ViewChanges: []pbft.ViewChange{}}, want: &pbft.NewView{View: 5}},
		{name: "status", in: &pbft.Status{View: 3, Stable: checkpointCert(30), Executed: 35}},
		{name: "status changing", in: &pbft.Status{View: 4, Stable: checkpointCert(30), Executed: 35, Changing: true}},
		{name: "fetch", in: &pbft.Fetch{From: 3, To: 9}},
		{name: "fetch-reply slots", in: &pbft.FetchReply{Slots: []pbft.CommittedSlot{
			{PrePrepare: *prePrepare(3), Cert: cert(pbft.CommitCert, 41)},
			{PrePrepare: *emptyDigestPP, Cert: cert(pbft.FullCommitProof, 42)}}}},
		{name: "fetch-reply snapshot", in: &pbft.FetchReply{Snapshot: &pbft.Snapshot{Cert: checkpointCert(40), State: filled(1<<20, 0)}}},
		{name: "fetch-reply empty snapshot", in: &pbft.FetchReply{Snapshot: &pbft.Snapshot{State: []byte{}}},
			want: &pbft.FetchReply{Snapshot: &pbft.Snapshot{}}},
		{name: "fetch-reply empty", in: &pbft.FetchReply{Slots: []pbft.CommittedSlot{}}, want: &pbft.FetchReply{}},
		{name: "fetch-batch", in: &pbft.FetchBatch{Seq: 7, Digest: digestOf("b")}},
		{name: "batch-reply", in: &pbft.BatchReply{Seq: 7, Digest: digestOf("b"), Batch: batch(3)}},
	}
}

func ptr[T any](v T) *T { return &v }

func TestRoundTrip(t *testing.T) {
	for _, tc := range roundTripCases() {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == nil {
				want = tc.in
			}
			b, err := Encode(tc.in)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip changed the message:\n got %+v\nwant %+v", got, want)
			}
			if got.Kind() != tc.in.Kind() {
				t.Fatalf("kind %s, want %s", got.Kind(), tc.in.Kind())
			}
			again, err := Encode(got)
			if err != nil || !bytes.Equal(again, b) {
				t.Fatalf("re-encoding differs (err %v)", err)
			}
		})
	}
}

func TestDecodeDoesNotAliasInput(t *testing.T) {
	b, err := Encode(prePrepare(3))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 0xff
	}
	if !reflect.DeepEqual(m, prePrepare(3)) {
		t.Fatal("decoded message changed when the input buffer was overwritten")
	}
}

func TestEncodeRejects(t *testing.T) {
	for _, m := range []pbft.Message{nil, (*pbft.PrePrepare)(nil), &pbft.Combined{}} {
		if _, err := Encode(m); err == nil {
			t.Errorf("Encode(%T) succeeded", m)
		}
	}
}

func TestEncodeRejectsOversize(t *testing.T) {
	m := &pbft.FetchReply{Snapshot: &pbft.Snapshot{State: make([]byte, MaxMessageSize)}}
	if _, err := Encode(m); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Encode of an oversize snapshot: %v, want ErrTooLarge", err)
	}
}

func TestDecodeEveryPrefixWithoutPanic(t *testing.T) {
	b, err := Encode(viewChange(2))
	if err != nil {
		t.Fatal(err)
	}
	failures := 0
	for i := 0; i < len(b); i++ {
		if _, err := Decode(b[:i]); err != nil {
			failures++
		}
	}
	if failures == 0 {
		t.Fatal("no strict prefix of a view-change failed to decode")
	}
}
