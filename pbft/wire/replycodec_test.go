package wire

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/bftbank/pbft/pbft"
)

func encodedReply(t *testing.T, rep pbft.Reply) []byte {
	t.Helper()
	b, err := EncodeReply(&rep)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkDecodeLikeReference asserts that DecodeReplyFor accepts frame exactly when DecodeReply
// does (for a reply to A) and then yields the same reply.
func checkDecodeLikeReference(t *testing.T, frame []byte) {
	t.Helper()
	want, werr := decodeReply(frame)
	if werr == nil && want.Client != "A" {
		werr = errMalformedReply // addressed to another client: DecodeReplyFor refuses it
	}
	var got pbft.Reply
	err := DecodeReplyFor(frame, "A", &got)
	switch {
	case (err == nil) != (werr == nil):
		t.Fatalf("frame %x: DecodeReplyFor error %v, DecodeReply error %v", frame, err, werr)
	case err == nil && !reflect.DeepEqual(&got, want):
		t.Fatalf("frame %x: decoded %+v, wire decoded %+v", frame, got, *want)
	}
}

func TestDecodeReplyForMatchesDecodeReply(t *testing.T) {
	full := pbft.Reply{View: 3, Replica: 7, Client: "A", Timestamp: 1 << 62, ReadOnly: true,
		Result: []byte{1, 2, 3}, Seq: 99, Sig: make([]byte, 32)}
	frames := [][]byte{
		encodedReply(t, full),
		encodedReply(t, pbft.Reply{Client: "A"}),                          // zero fields
		encodedReply(t, pbft.Reply{Client: "B", Timestamp: 5}),            // someone else's
		encodedReply(t, pbft.Reply{Client: "A", Sig: make([]byte, 1025)}), // signature too long
		encodedReply(t, pbft.Reply{Replica: 1}),                           // no client
		nil,
		{0xff},
	}
	// A later occurrence of a field wins; unknown fields and wrong wire types are skipped.
	repeated := encodedReply(t, full)
	repeated = protowire.AppendTag(repeated, replyTimestampField, protowire.VarintType)
	repeated = protowire.AppendVarint(repeated, 12)
	repeated = protowire.AppendTag(repeated, replyResultField, protowire.BytesType)
	repeated = protowire.AppendBytes(repeated, []byte("later"))
	repeated = protowire.AppendTag(repeated, replySeqField, protowire.BytesType)
	repeated = protowire.AppendBytes(repeated, []byte("not a varint"))
	repeated = protowire.AppendTag(repeated, 99, protowire.Fixed64Type)
	repeated = protowire.AppendFixed64(repeated, 1)
	repeated = protowire.AppendTag(repeated, replyReplicaField, protowire.VarintType)
	repeated = protowire.AppendVarint(repeated, 1<<32+2) // truncated to uint32, as protobuf does
	frames = append(frames, repeated,
		appendVarint(encodedReply(t, full), protowire.MaxValidNumber+1, 1), // refused by proto.Unmarshal
		appendVarint(encodedReply(t, full), protowire.MaxValidNumber, 1))
	for _, f := range frames {
		checkDecodeLikeReference(t, f)
	}
	var got pbft.Reply
	if err := DecodeReplyFor(repeated, "A", &got); err != nil || got.Timestamp != 12 || string(got.Result) != "later" || got.Replica != 2 {
		t.Fatalf("repeated fields: %+v %v", got, err)
	}
}

// TestDecodeReplyForMatchesDecodeReplyOnCorruptFrames flips, cuts and inserts bytes of valid replies.
func TestDecodeReplyForMatchesDecodeReplyOnCorruptFrames(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := encodedReply(t, pbft.Reply{View: 2, Replica: 3, Client: "A", Timestamp: 1234567,
		Result: []byte("result"), Seq: 8, Sig: make([]byte, 32)})
	for range 20000 {
		f := append([]byte(nil), base...)
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(f))
			switch rng.IntN(3) {
			case 0:
				f[i] = byte(rng.IntN(256))
			case 1:
				f = f[:i]
			default:
				f = append(f[:i], append([]byte{byte(rng.IntN(256))}, f[i:]...)...)
			}
			if len(f) == 0 {
				break
			}
		}
		checkDecodeLikeReference(t, f)
	}
}

func TestDecodeReplyForDoesNotAllocate(t *testing.T) {
	frame := encodedReply(t, pbft.Reply{View: 2, Replica: 3, Client: "A", Timestamp: 1234567,
		Result: []byte("result"), Seq: 8, Sig: make([]byte, 32)})
	var rep pbft.Reply
	if n := testing.AllocsPerRun(100, func() { _ = DecodeReplyFor(frame, "A", &rep) }); n != 0 {
		t.Fatalf("%v allocations per decode, want 0", n)
	}
}

func TestReplyFieldNumbers(t *testing.T) {
	fields := (&ReplyPb{}).ProtoReflect().Descriptor().Fields()
	for name, num := range map[string]protowire.Number{"view": replyViewField, "replica": replyReplicaField,
		"client": replyClientField, "timestamp": replyTimestampField, "read_only": replyReadOnlyField,
		"result": replyResultField, "seq": replySeqField, "sig": replySigField, "op": replyOpField} {
		if fd := fields.ByName(protoreflect.Name(name)); fd == nil || fd.Number() != num {
			t.Errorf("ReplyPb field %s: schema %v, decoder uses %d", name, fd, num)
		}
	}
}

// replyToPb is the reference for the hand-written encoder: the generated message.
func replyToPb(r *pbft.Reply) *ReplyPb {
	pb := &ReplyPb{
		View: uint64(r.View), Replica: uint32(r.Replica), Client: stringBytes(string(r.Client)),
		Timestamp: r.Timestamp, ReadOnly: r.ReadOnly, Result: r.Result, Seq: uint64(r.Seq), Sig: r.Sig,
	}
	if r.Op != (pbft.Digest{}) {
		pb.Op = r.Op[:]
	}
	return pb
}

func TestAppendReplyMatchesGeneratedCode(t *testing.T) {
	replies := []pbft.Reply{
		{},
		{Client: "A"},
		{View: 3, Replica: 7, Client: "A", Timestamp: 1 << 62, ReadOnly: true, Result: []byte{1, 2, 3}, Seq: 99, Sig: make([]byte, 32)},
		{View: 2, Replica: 1, Client: "A", Timestamp: 5, Result: []byte{1}, Seq: 3, Op: pbft.OpDigest([]byte("op")), Sig: make([]byte, 32)},
		{View: 1<<64 - 1, Replica: 1<<32 - 1, Client: "client_with-a-long-name", Timestamp: 1, Result: make([]byte, 300), Seq: 1 << 40},
	}
	for _, r := range replies {
		want, err := marshal.Marshal(replyToPb(&r))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := EncodeReply(&r); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%+v: EncodeReply %x (%v), generated code %x", r, got, err, want)
		}
		unsigned := replyToPb(&r)
		unsigned.Sig = nil
		want, err = marshal.Marshal(unsigned)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendReplySigned(nil, &r); !bytes.Equal(got, append([]byte(replyDomain), want...)) {
			t.Errorf("%+v: AppendReplySigned %x, want the domain and %x", r, got, want)
		}
	}
	big := pbft.Reply{Client: "A", Result: make([]byte, MaxMessageSize)}
	if _, err := EncodeReply(&big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized reply: %v", err)
	}
}

func TestAppendReplySignedDoesNotAllocate(t *testing.T) {
	r := pbft.Reply{View: 2, Replica: 3, Client: "A", Timestamp: 1234567, Result: []byte("result"), Seq: 8}
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf = AppendReplySigned(buf[:0], &r) }); n != 0 {
		t.Fatalf("%v allocations, want 0", n)
	}
}
