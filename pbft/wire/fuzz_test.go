package wire

import (
	"reflect"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

// FuzzDecode checks that Decode never panics, and that whatever it accepts re-encodes to a
// message that decodes to the same value.
func FuzzDecode(f *testing.F) {
	for _, tc := range roundTripCases() {
		if b, err := Encode(tc.in); err == nil && len(b) < 1<<16 {
			f.Add(b)
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Encode(m)
		if err != nil {
			t.Fatalf("decoded %s does not encode: %v", m.Kind(), err)
		}
		m2, err := Decode(again)
		if err != nil || !reflect.DeepEqual(m, m2) {
			t.Fatalf("re-decoding %s: %v", m.Kind(), err)
		}
	})
}

// FuzzDecodeFrame checks that DecodeFrame, decodeRequest and decodeReply never panic.
func FuzzDecodeFrame(f *testing.F) {
	body, _ := encodeRequest(&pbft.Request{Client: "A", Op: []byte("op")})
	frame, _ := EncodeFrame(Frame{From: 2, Body: body, Sig: filled(64, 0)})
	reply, _ := EncodeReply(reply())
	f.Add(frame)
	f.Add(body)
	f.Add(reply)
	f.Fuzz(func(t *testing.T, b []byte) {
		if fr, err := DecodeFrame(b); err == nil {
			if again, err := EncodeFrame(fr); err != nil || !reflect.DeepEqual(mustDecodeFrame(t, again), fr) {
				t.Fatalf("frame does not survive re-encoding: %v", err)
			}
		}
		_, _ = decodeRequest(b)
		_, _ = decodeReply(b)
	})
}

func mustDecodeFrame(t *testing.T, b []byte) Frame {
	t.Helper()
	fr, err := DecodeFrame(b)
	if err != nil {
		t.Fatal(err)
	}
	return fr
}
