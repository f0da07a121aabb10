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
