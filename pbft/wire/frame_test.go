package wire

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	body, err := Encode(prePrepare(5))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []Frame{
		{From: 3, Body: body, Sig: filled(64, 1)},
		{Client: "c17", Body: []byte{1, 2, 3}},
		{From: 2, Client: "A", Body: []byte{9}, Sig: filled(64, 2)},
	} {
		b, err := EncodeFrame(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeFrame(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Fatalf("got %+v, want %+v", got, f)
		}
	}
}

func TestFrameDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		in   *FramePb
		want error
	}{
		{name: "no body", in: &FramePb{From: 1, Sig: []byte{1}}, want: ErrMalformed},
		{name: "client frame without client", in: &FramePb{Body: []byte{1}}, want: ErrMalformed},
		{name: "oversize signature", in: &FramePb{From: 1, Body: []byte{1}, Sig: make([]byte, MaxSigLen+1)}, want: ErrTooLarge},
		{name: "oversize client", in: &FramePb{Client: make([]byte, MaxClientIDLen+1), Body: []byte{1}}, want: ErrTooLarge},
	}
	for _, tc := range cases {
		if _, err := DecodeFrame(mustMarshal(t, tc.in)); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := DecodeFrame([]byte{0x1a, 0x7f}); !errors.Is(err, ErrMalformed) {
		t.Errorf("truncated frame: %v", err)
	}
	if _, err := DecodeFrame(make([]byte, MaxMessageSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize frame: %v", err)
	}
}

func TestSignedBytes(t *testing.T) {
	body := []byte("body")
	got := SignedBytes(0x01020304, body)
	want := append([]byte("pbft/frame/v1\x00\x01\x02\x03\x04"), body...)
	if !bytes.Equal(got, want) {
		t.Fatalf("SignedBytes = %q, want %q", got, want)
	}
	if bytes.Equal(SignedBytes(1, body), SignedBytes(2, body)) {
		t.Fatal("SignedBytes does not bind the sender")
	}
}
