package wire

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func goodDigest() []byte { d := digestOf("ok"); return d[:] }

func goodStable() *CheckpointCertPb { return &CheckpointCertPb{Seq: 1, State: goodDigest()} }

func goodRequestPb() *RequestPb { return &RequestPb{Client: []byte("A"), Timestamp: 1} }

func TestDecodeErrors(t *testing.T) {
	unknownField := protowire.AppendTag(nil, 99, protowire.BytesType)
	unknownField = protowire.AppendBytes(unknownField, []byte("x"))
	cases := []struct {
		name string
		in   *MessagePb // marshaled as the input, unless raw is set
		raw  []byte
		want error
		text string
	}{
		{name: "empty input", raw: []byte{}, want: ErrMalformed, text: "no body"},
		{name: "unknown oneof field", raw: unknownField, want: ErrMalformed, text: "no body"},
		{name: "garbage", raw: []byte{0xff, 0xff, 0xff}, want: ErrMalformed},
		{name: "truncated length", raw: []byte{0x12, 0x80}, want: ErrMalformed},
		{name: "length beyond input", raw: []byte{0x12, 0x05, 0x01}, want: ErrMalformed},
		{name: "oversize input", raw: make([]byte, MaxMessageSize+1), want: ErrTooLarge},
		{name: "short pre-prepare digest", want: ErrMalformed, text: "31 bytes",
			in: &MessagePb{Body: &MessagePb_PrePrepare{PrePrepare: &PrePreparePb{Digest: make([]byte, 31)}}}},
		{name: "long prepare digest", want: ErrMalformed, text: "33 bytes",
			in: &MessagePb{Body: &MessagePb_Prepare{Prepare: &PreparePb{Digest: make([]byte, 33)}}}},
		{name: "missing commit digest", want: ErrMalformed, text: "0 bytes",
			in: &MessagePb{Body: &MessagePb_Commit{Commit: &CommitPb{}}}},
		{name: "unknown cert type", want: ErrMalformed, text: "certificate type",
			in: &MessagePb{Body: &MessagePb_Cert{Cert: &CertPb{Type: 4, Digest: goodDigest()}}}},
		{name: "huge cert type", want: ErrMalformed, text: "certificate type",
			in: &MessagePb{Body: &MessagePb_Cert{Cert: &CertPb{Type: 257, Digest: goodDigest()}}}},
		{name: "oversize share", want: ErrTooLarge,
			in: &MessagePb{Body: &MessagePb_Checkpoint{Checkpoint: &CheckpointPb{State: goodDigest(), Share: make([]byte, MaxSigLen+1)}}}},
		{name: "forward without request", want: ErrMalformed, text: "missing request",
			in: &MessagePb{Body: &MessagePb_ForwardRequest{ForwardRequest: &ForwardRequestPb{}}}},
		{name: "request without client", want: ErrMalformed, text: "client",
			in: &MessagePb{Body: &MessagePb_ForwardRequest{ForwardRequest: &ForwardRequestPb{Req: &RequestPb{Timestamp: 1}}}}},
		{name: "oversize client id", want: ErrTooLarge,
			in: &MessagePb{Body: &MessagePb_ForwardRequest{ForwardRequest: &ForwardRequestPb{
				Req: &RequestPb{Client: []byte(strings.Repeat("c", MaxClientIDLen+1))}}}}},
		{name: "bad request in batch", want: ErrMalformed, text: "batch[1]",
			in: &MessagePb{Body: &MessagePb_PrePrepare{PrePrepare: &PrePreparePb{Digest: goodDigest(),
				Batch: []*RequestPb{goodRequestPb(), {}}}}}},
		{name: "view-change without stable", want: ErrMalformed, text: "checkpoint certificate",
			in: &MessagePb{Body: &MessagePb_ViewChange{ViewChange: &ViewChangePb{View: 2}}}},
		{name: "view-change entry without cert", want: ErrMalformed, text: "prepared[0]",
			in: &MessagePb{Body: &MessagePb_ViewChange{ViewChange: &ViewChangePb{Stable: goodStable(),
				Prepared: []*PreparedEntryPb{{}}}}}},
		{name: "view-change vote with bad request", want: ErrMalformed, text: "votes[0]",
			in: &MessagePb{Body: &MessagePb_ViewChange{ViewChange: &ViewChangePb{Stable: goodStable(),
				Votes: []*VoteEntryPb{{Batch: []*RequestPb{{}}}}}}}},
		{name: "new-view with bad view-change", want: ErrMalformed, text: "view_changes[0]",
			in: &MessagePb{Body: &MessagePb_NewView{NewView: &NewViewPb{ViewChanges: []*ViewChangePb{{}}}}}},
		{name: "new-view with bad pre-prepare", want: ErrMalformed, text: "pre_prepares[0]",
			in: &MessagePb{Body: &MessagePb_NewView{NewView: &NewViewPb{PrePrepares: []*PrePreparePb{{}}}}}},
		{name: "status without stable", want: ErrMalformed,
			in: &MessagePb{Body: &MessagePb_Status{Status: &StatusPb{}}}},
		{name: "snapshot without cert", want: ErrMalformed, text: "snapshot",
			in: &MessagePb{Body: &MessagePb_FetchReply{FetchReply: &FetchReplyPb{Snapshot: &SnapshotPb{}}}}},
		{name: "slot without cert", want: ErrMalformed, text: "slots[0]",
			in: &MessagePb{Body: &MessagePb_FetchReply{FetchReply: &FetchReplyPb{Slots: []*CommittedSlotPb{
				{PrePrepare: &PrePreparePb{Digest: goodDigest()}}}}}}},
		{name: "slot without pre-prepare", want: ErrMalformed, text: "slots[0]",
			in: &MessagePb{Body: &MessagePb_FetchReply{FetchReply: &FetchReplyPb{Slots: []*CommittedSlotPb{
				{Cert: &CertPb{Type: 2, Digest: goodDigest()}}}}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.raw
			if tc.in != nil {
				in = mustMarshal(t, tc.in)
			}
			m, err := Decode(in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode = %v, %v; want error %v", m, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("error %q does not mention %q", err, tc.text)
			}
		})
	}
}
