package wire

import (
	"errors"
	"reflect"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

func TestRequestRoundTrip(t *testing.T) {
	for _, r := range []pbft.Request{request(0), request(3), {Client: "A"}, {Client: "B", Op: []byte{}, Sig: []byte{}}} {
		b, err := encodeRequest(&r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRequest(b)
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
		got, err := decodeReply(b)
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
	if _, err := decodeRequest(noClient); !errors.Is(err, ErrMalformed) {
		t.Errorf("request without client: %v", err)
	}
	if _, err := decodeRequest([]byte{0xff}); !errors.Is(err, ErrMalformed) {
		t.Errorf("garbage request: %v", err)
	}
	bigSig := mustMarshal(t, &ReplyPb{Client: []byte("A"), Sig: make([]byte, MaxSigLen+1)})
	if _, err := decodeReply(bigSig); !errors.Is(err, ErrTooLarge) {
		t.Errorf("reply with oversize signature: %v", err)
	}
	if _, err := decodeReply(mustMarshal(t, &ReplyPb{Replica: 2})); !errors.Is(err, ErrMalformed) {
		t.Errorf("reply without client: %v", err)
	}
	shortOp := mustMarshal(t, &ReplyPb{Client: []byte("A"), Op: make([]byte, 5)})
	if _, err := decodeReply(shortOp); !errors.Is(err, ErrMalformed) {
		t.Errorf("reply with a 5-byte operation digest (generated decoding): %v", err)
	}
	var rep pbft.Reply
	if err := DecodeReplyFor(shortOp, "A", &rep); !errors.Is(err, ErrMalformed) {
		t.Errorf("reply with a 5-byte operation digest (DecodeReplyFor): %v", err)
	}
	if _, err := encodeRequest(nil); err == nil {
		t.Error("encodeRequest(nil) succeeded")
	}
	if _, err := EncodeReply(nil); err == nil {
		t.Error("EncodeReply(nil) succeeded")
	}
}
