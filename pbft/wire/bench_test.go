package wire

import "testing"

// The PRE-PREPARE of a 100-request batch is the hot path of the wire format.

func BenchmarkEncodePrePrepare100(b *testing.B) {
	m := prePrepare(100)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePrePrepare100(b *testing.B) {
	enc, err := Encode(prePrepare(100))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFramePrePrepare100(b *testing.B) {
	enc, err := Encode(prePrepare(100))
	if err != nil {
		b.Fatal(err)
	}
	sig := filled(64, 0)
	b.ReportAllocs()
	for b.Loop() {
		fb, err := EncodeFrame(Frame{From: 1, Body: enc, Sig: sig})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := DecodeFrame(fb); err != nil {
			b.Fatal(err)
		}
	}
}

// Every client request crosses the wire as a client frame: the client encodes one per
// request, and the replica it reaches decodes it. "generated" is the path through the
// generated code (encodeRequest in EncodeFrame, DecodeFrame then decodeRequest), "handwritten"
// the codec of requestcodec.go.
func BenchmarkRequestFrame(b *testing.B) {
	r := request(42)
	r.Timestamp = 1_760_000_000_000_000_000 // a clock reading, as clients use
	frame, err := AppendRequestFrame(nil, &r)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode/generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeRequestFrameReference(&r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode/handwritten", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := AppendRequestFrame(nil, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode/generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeRequestFrameReference(frame); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode/handwritten", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeRequestFrame(frame); err != nil {
				b.Fatal(err)
			}
		}
	})
}
