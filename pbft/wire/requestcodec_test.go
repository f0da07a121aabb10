package wire

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/bftbank/pbft/pbft"
)

// decodeRequestFrameReference is what a replica did before DecodeRequestFrame, through the
// generated code.
func decodeRequestFrameReference(frame []byte) (*pbft.Request, error) {
	f, err := DecodeFrame(frame)
	if err != nil {
		return nil, err
	}
	return decodeRequest(f.Body)
}

// encodeRequestFrameReference is what a client did before AppendRequestFrame.
func encodeRequestFrameReference(r *pbft.Request) ([]byte, error) {
	body, err := encodeRequest(r)
	if err != nil {
		return nil, err
	}
	return EncodeFrame(Frame{Client: string(r.Client), Body: body})
}

// codecRequests covers the shapes of request the codec must encode like the generated code.
func codecRequests() map[string]pbft.Request {
	return map[string]pbft.Request{
		"typical":          request(0),
		"read-only":        request(3),
		"empty op":         {Client: "A", Timestamp: 7, Sig: filled(64, 1)},
		"empty slices":     {Client: "B", Op: []byte{}, Sig: []byte{}},
		"zero timestamp":   {Client: "A", Op: []byte("op")},
		"large timestamp":  {Client: "A", Timestamp: math.MaxUint64, Op: []byte("op"), ReadOnly: true},
		"timestamp 1<<63":  {Client: "A", Timestamp: 1 << 63},
		"max-size fields":  {Client: pbft.ClientID(strings.Repeat("c", MaxClientIDLen)), Timestamp: 1 << 40, Op: filled(3000, 3), ReadOnly: true, Sig: filled(MaxSigLen, 5)},
		"long op":          {Client: "client-with-a-longer-id", Timestamp: 9, Op: filled(2048, 1), Sig: filled(64, 2)},
		"binary client id": {Client: "\xff\x00é", Timestamp: 1, Op: []byte{0}},
		"no client":        {Timestamp: 3, Op: []byte("op")},
		"zero request":     {},
	}
}

func TestAppendRequestFrameMatchesGeneratedCode(t *testing.T) {
	for name, r := range codecRequests() {
		want, err := encodeRequestFrameReference(&r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := AppendRequestFrame(nil, &r)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: AppendRequestFrame %x (%v), generated code %x", name, got, err, want)
		}
		prefix := []byte("prefix")
		if got, err := AppendRequestFrame(prefix, &r); err != nil || !bytes.Equal(got, append(prefix, want...)) {
			t.Errorf("%s: appending after a prefix gave %x (%v)", name, got, err)
		}
	}
}

func TestAppendRequestFrameErrors(t *testing.T) {
	big := pbft.Request{Client: "A", Op: make([]byte, MaxMessageSize)}
	if _, err := encodeRequestFrameReference(&big); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("reference on an oversized request: %v", err)
	}
	prefix := []byte("prefix")
	if got, err := AppendRequestFrame(prefix, &big); !errors.Is(err, ErrTooLarge) || !bytes.Equal(got, prefix) {
		t.Errorf("oversized request: %q, %v", got, err)
	}
	if _, err := AppendRequestFrame(nil, nil); err == nil {
		t.Error("nil request encoded")
	}
}

// requestFrameMismatch reports how DecodeRequestFrame departs from the reference on frame, ""
// when it does not: the same acceptance, the same class of error, the same request. It
// decodes a copy of frame and then overwrites the copy, so that a result aliasing its input
// shows as a mismatch.
func requestFrameMismatch(frame []byte) string {
	want, werr := decodeRequestFrameReference(frame)
	input := bytes.Clone(frame)
	got, err := DecodeRequestFrame(input)
	for i := range input {
		input[i] = 0xaa
	}
	switch {
	case (err == nil) != (werr == nil):
		return fmt.Sprintf("frame %x: DecodeRequestFrame error %v, reference error %v", frame, err, werr)
	case err != nil && errors.Is(err, ErrTooLarge) != errors.Is(werr, ErrTooLarge):
		return fmt.Sprintf("frame %x: DecodeRequestFrame error %v, reference error %v", frame, err, werr)
	case err != nil && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrMalformed):
		return fmt.Sprintf("frame %x: error %v is neither ErrTooLarge nor ErrMalformed", frame, err)
	case err == nil && !reflect.DeepEqual(got, want):
		return fmt.Sprintf("frame %x: decoded %+v, reference decoded %+v", frame, *got, *want)
	}
	return ""
}

// validRequestFrames are the frames of codecRequests that the reference accepts.
func validRequestFrames(t *testing.T) map[string][]byte {
	t.Helper()
	frames := map[string][]byte{}
	for name, r := range codecRequests() {
		f, err := encodeRequestFrameReference(&r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeRequestFrameReference(f); err == nil {
			frames[name] = f
		}
	}
	return frames
}

// appendVarint and appendBytes append one field; unlike appendVarintField and appendBytesField
// they write zero values too.
func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

// frameAround wraps body in a client frame of client A.
func frameAround(body []byte) []byte {
	return appendBytes(appendBytes(nil, frameClientField, []byte("A")), frameBodyField, body)
}

// oddFrames are frames off the usual path: the limits, the frame fields that the request
// path does not use, and what protobuf decoding tolerates or refuses.
func oddFrames(t *testing.T) map[string][]byte {
	body := mustMarshal(t, &RequestPb{Client: []byte("A"), Timestamp: 5, Op: []byte("op"), Sig: filled(64, 1)})
	long := bytes.Repeat([]byte("c"), MaxClientIDLen+1)
	return map[string][]byte{
		"from a replica, no client": mustMarshal(t, &FramePb{From: 3, Body: body}),
		"from a replica, client":    mustMarshal(t, &FramePb{From: 3, Client: []byte("A"), Body: body}),
		"other client":              mustMarshal(t, &FramePb{Client: []byte("B"), Body: body}),
		"no frame client":           mustMarshal(t, &FramePb{Body: body}),
		"long frame client":         mustMarshal(t, &FramePb{Client: long, Body: body}),
		"long client, replica":      mustMarshal(t, &FramePb{From: 1, Client: long, Body: body}),
		"frame sig at max":          mustMarshal(t, &FramePb{Client: []byte("A"), Body: body, Sig: filled(MaxSigLen, 0)}),
		"frame sig too long":        mustMarshal(t, &FramePb{Client: []byte("A"), Body: body, Sig: filled(MaxSigLen+1, 0)}),
		"no body":                   mustMarshal(t, &FramePb{Client: []byte("A")}),
		"garbage body":              frameAround([]byte{0xff}),
		"no request client":         frameAround(mustMarshal(t, &RequestPb{Timestamp: 5})),
		"long request client":       frameAround(mustMarshal(t, &RequestPb{Client: long})),
		"request sig too long":      frameAround(mustMarshal(t, &RequestPb{Client: []byte("A"), Sig: filled(MaxSigLen+1, 0)})),
		"bad sig and client":        frameAround(mustMarshal(t, &RequestPb{Sig: filled(MaxSigLen+1, 0)})),
		"too long and malformed":    mustMarshal(t, &FramePb{Client: long, Body: body, Sig: filled(MaxSigLen+1, 0)}),
		"repeated request fields":   frameAround(repeatedRequestFields(body)),
		"repeated frame fields":     repeatedFrameFields(body),
		"huge field number":         frameAround(appendVarint(bytes.Clone(body), protowire.MaxValidNumber+1, 1)),
		"largest field number":      frameAround(appendVarint(bytes.Clone(body), protowire.MaxValidNumber, 1)),
		"huge frame field number":   appendVarint(frameAround(body), protowire.MaxValidNumber+1, 1),
		"group":                     frameAround(append(bytes.Clone(body), 0x33, 0x08, 0x01, 0x34)), // field 6 {1: 1}
		"unclosed group":            frameAround(append(bytes.Clone(body), 0x33, 0x08, 0x01)),
		"mismatched group end":      frameAround(append(bytes.Clone(body), 0x33, 0x3c)),
		"stray group end":           frameAround(append(bytes.Clone(body), 0x34)),
		"reserved wire type":        frameAround(append(bytes.Clone(body), 0x36, 0x00)),
		"field number 0":            frameAround(append(bytes.Clone(body), 0x00, 0x00)),
		"empty":                     nil,
		"one bad byte":              {0xff},
	}
}

// repeatedRequestFields appends to body later occurrences of its fields, unknown fields, and
// known fields of the wrong wire type: protobuf takes the last occurrence and skips the others.
func repeatedRequestFields(body []byte) []byte {
	b := bytes.Clone(body)
	b = appendBytes(b, requestClientField, []byte("later"))
	b = appendVarint(b, requestTimestampField, 12)
	b = appendBytes(b, requestOpField, nil)
	b = appendVarint(b, requestReadOnlyField, 2)
	b = appendBytes(b, requestTimestampField, []byte("not a varint"))
	b = appendVarint(b, requestSigField, 1)
	b = protowire.AppendFixed64(protowire.AppendTag(b, 99, protowire.Fixed64Type), 1)
	b = protowire.AppendFixed32(protowire.AppendTag(b, requestOpField, protowire.Fixed32Type), 1)
	return appendVarint(b, requestTimestampField, 1<<63+1)
}

// repeatedFrameFields is a frame whose fields come twice or with the wrong wire type.
func repeatedFrameFields(body []byte) []byte {
	b := appendBytes(nil, frameBodyField, []byte("an earlier body"))
	b = appendVarint(b, frameFromField, 1<<32) // from is a uint32: this is 0
	b = appendBytes(b, frameClientField, []byte("first"))
	b = appendBytes(b, frameClientField, []byte("A"))
	b = appendBytes(b, frameBodyField, body)
	b = appendVarint(b, frameBodyField, 4)
	b = appendVarint(b, frameSigField, 4)
	return appendBytes(b, 77, []byte("unknown"))
}

func TestDecodeRequestFrameMatchesReference(t *testing.T) {
	for name, f := range validRequestFrames(t) {
		if _, err := DecodeRequestFrame(f); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if msg := requestFrameMismatch(f); msg != "" {
			t.Errorf("%s: %s", name, msg)
		}
	}
	odd := oddFrames(t)
	odd["oversized"] = make([]byte, MaxMessageSize+1)
	for name, f := range odd {
		if msg := requestFrameMismatch(f); msg != "" {
			t.Errorf("%s: %s", name, msg)
		}
	}
	got, err := DecodeRequestFrame(odd["repeated request fields"])
	if err != nil || got.Client != "later" || got.Timestamp != 1<<63+1 || got.Op != nil || !got.ReadOnly {
		t.Errorf("repeated fields: %+v %v", got, err)
	}
}

func TestDecodeRequestFrameMatchesReferenceOnTruncations(t *testing.T) {
	frames, odd := validRequestFrames(t), oddFrames(t)
	for _, name := range []string{"repeated request fields", "repeated frame fields", "group"} {
		frames[name] = odd[name]
	}
	for name, f := range frames {
		for i := range len(f) {
			if msg := requestFrameMismatch(f[:i]); msg != "" {
				t.Fatalf("%s cut to %d bytes: %s", name, i, msg)
			}
		}
	}
}

// TestDecodeRequestFrameMatchesReferenceOnCorruptFrames flips, cuts and inserts bytes of
// valid frames.
func TestDecodeRequestFrameMatchesReferenceOnCorruptFrames(t *testing.T) {
	const seed = 0x5eed
	rng := rand.New(rand.NewPCG(seed, 2))
	long := request(5)
	long.Client = pbft.ClientID(strings.Repeat("c", MaxClientIDLen))
	bases := [][]byte{mustAppendRequestFrame(t, request(0)), mustAppendRequestFrame(t, request(3)),
		mustAppendRequestFrame(t, long), oddFrames(t)["repeated frame fields"]}
	accepted := 0
	for i := range 20000 {
		f := corrupt(rng, bases[i%len(bases)])
		if msg := requestFrameMismatch(f); msg != "" {
			t.Fatalf("seed %#x, frame %d: %s", seed, i, msg)
		}
		if _, err := decodeRequestFrameReference(f); err == nil {
			accepted++
		}
	}
	if accepted < 1000 || accepted > 19000 {
		t.Errorf("seed %#x: the reference accepted %d of 20000 corrupt frames: the test hardly probes one side", seed, accepted)
	}
	t.Logf("the reference accepted %d of 20000 corrupt frames", accepted)
}

func mustAppendRequestFrame(t *testing.T, r pbft.Request) []byte {
	t.Helper()
	f, err := AppendRequestFrame(nil, &r)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// corrupt returns a copy of base with one to three bytes replaced, cut or inserted.
func corrupt(rng *rand.Rand, base []byte) []byte {
	f := bytes.Clone(base)
	for range 1 + rng.IntN(3) {
		if len(f) == 0 {
			break
		}
		i := rng.IntN(len(f))
		switch rng.IntN(4) {
		case 0:
			f[i] = byte(rng.IntN(256))
		case 1:
			f[i] ^= 1 << rng.IntN(8)
		case 2:
			f = f[:i]
		default:
			f = append(f[:i], append([]byte{byte(rng.IntN(256))}, f[i:]...)...)
		}
	}
	return f
}

func TestDecodeRequestFrameOwnsItsBytes(t *testing.T) {
	for _, r := range []pbft.Request{request(1), codecRequests()["long op"]} {
		got, err := DecodeRequestFrame(mustAppendRequestFrame(t, r))
		if err != nil {
			t.Fatal(err)
		}
		got.Op = append(got.Op, "more"...)
		got.Op[0]++
		if got.Client != r.Client || !bytes.Equal(got.Sig, r.Sig) {
			t.Errorf("writing the op changed the request: %+v", got)
		}
	}
}

func TestRequestFrameAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	r := request(1)
	frame := mustAppendRequestFrame(t, r)
	longOp := mustAppendRequestFrame(t, codecRequests()["long op"])
	buf := make([]byte, 0, 2*len(frame))
	for name, c := range map[string]struct {
		want float64
		run  func()
	}{
		"append into room": {0, func() { buf, _ = AppendRequestFrame(buf[:0], &r) }},
		"append to nil":    {1, func() { _, _ = AppendRequestFrame(nil, &r) }},
		"decode":           {3, func() { _, _ = DecodeRequestFrame(frame) }},
		"decode a long op": {3, func() { _, _ = DecodeRequestFrame(longOp) }},
	} {
		if n := testing.AllocsPerRun(100, c.run); n != c.want {
			t.Errorf("%s: %v allocations, want %v", name, n, c.want)
		}
	}
}

func TestRequestFrameFieldNumbers(t *testing.T) {
	for msg, want := range map[protoreflect.ProtoMessage]map[string]protowire.Number{
		&RequestPb{}: {"client": requestClientField, "timestamp": requestTimestampField, "op": requestOpField,
			"read_only": requestReadOnlyField, "sig": requestSigField},
		&FramePb{}: {"from": frameFromField, "client": frameClientField, "body": frameBodyField, "sig": frameSigField},
	} {
		desc := msg.ProtoReflect().Descriptor()
		if desc.Fields().Len() != len(want) {
			t.Errorf("%s has %d fields, the codec knows %d", desc.Name(), desc.Fields().Len(), len(want))
		}
		for name, num := range want {
			if fd := desc.Fields().ByName(protoreflect.Name(name)); fd == nil || fd.Number() != num {
				t.Errorf("%s field %s: schema %v, codec uses %d", desc.Name(), name, fd, num)
			}
		}
	}
}
