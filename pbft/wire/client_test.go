package wire

import (
	"encoding/hex"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

func TestRequestRoundTrip(t *testing.T) {
	for _, r := range []pbft.Request{request(0), request(3), {Client: "A"}, {Client: "B", Op: []byte{}, Sig: []byte{}}} {
		b, err := EncodeRequest(&r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeRequest(b)
		if err != nil {
			t.Fatal(err)
		}
		want := r
		want.Op, want.Sig = bytesOrNil(r.Op), bytesOrNil(r.Sig)
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		if got.Digest() != r.Digest() {
			t.Fatal("request digest changed across the wire")
		}
	}
}

func TestReplyRoundTrip(t *testing.T) {
	for _, r := range []*pbft.Reply{reply(), {Client: "A", Replica: 7}} {
		b, err := EncodeReply(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeReply(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("got %+v, want %+v", got, r)
		}
	}
}

func TestClientDecodeErrors(t *testing.T) {
	noClient := mustMarshal(t, &RequestPb{Timestamp: 3})
	if _, err := DecodeRequest(noClient); !errors.Is(err, ErrMalformed) {
		t.Errorf("request without client: %v", err)
	}
	if _, err := DecodeRequest([]byte{0xff}); !errors.Is(err, ErrMalformed) {
		t.Errorf("garbage request: %v", err)
	}
	if _, err := EncodeRequest(nil); err == nil {
		t.Error("EncodeRequest(nil) succeeded")
	}
	if _, err := EncodeReply(nil); err == nil {
		t.Error("EncodeReply(nil) succeeded")
	}
	if _, err := EncodeReply(&pbft.Reply{Replica: 2}); !errors.Is(err, ErrMalformed) {
		t.Errorf("EncodeReply without client: %v", err)
	}
	if _, err := EncodeReply(&pbft.Reply{Client: "A", Sig: make([]byte, MaxSigLen+1)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("EncodeReply with an oversize signature: %v", err)
	}
}

// TestReplyEncoding pins the reply layout (a golden encoding) and checks that every other
// input is refused: each truncation, each extra byte, a wrong version, an unknown flag, an
// empty client, oversize lengths, and the reply wrapped in a frame as before version 1.
func TestReplyEncoding(t *testing.T) {
	r := &pbft.Reply{View: 2, Replica: 4, Client: "A", Timestamp: 77, ReadOnly: true, Result: []byte("ok"), Seq: 12, Sig: []byte{9, 9}}
	b, err := EncodeReply(r)
	if err != nil {
		t.Fatal(err)
	}
	want := "01" + "00000004" + "0000000000000002" + "000000000000000c" + "000000000000004d" + "01" +
		"0001" + "41" + "00000002" + "6f6b" + "0002" + "0909"
	if got := hex.EncodeToString(b); got != want {
		t.Fatalf("encoding\n%s, want\n%s", got, want)
	}
	for n := range len(b) {
		if _, err := DecodeReply(b[:n]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("truncated to %d bytes: %v", n, err)
		}
	}
	bad := map[string][]byte{
		"extra byte":   append(slices.Clone(b), 0),
		"version 2":    append([]byte{2}, b[1:]...),
		"unknown flag": slices.Concat(b[:29], []byte{3}, b[30:]),
		"empty client": slices.Concat(b[:30], []byte{0, 0}, b[33:]),
	}
	for name, in := range bad {
		if _, err := DecodeReply(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	huge := slices.Concat(b[:30], []byte{0x7f, 0xff}, b[32:])
	if _, err := DecodeReply(huge); !errors.Is(err, ErrTooLarge) {
		t.Errorf("client length beyond the limit: %v", err)
	}
	framed, err := EncodeFrame(Frame{From: 4, Body: b})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeReply(framed); err == nil {
		t.Error("a reply inside a frame decoded as a reply")
	}
	in := slices.Clone(b)
	got, err := DecodeReply(in)
	if err != nil {
		t.Fatal(err)
	}
	clear(in)
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("decoded reply %+v aliases its input (or differs from %+v)", got, r)
	}
}
