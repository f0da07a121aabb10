package pbft

import (
	"bytes"
	"testing"
)

// TestRequestSignedBytesLayout pins the bytes a client signs: changing them would make every
// stored or in-flight signature invalid.
func TestRequestSignedBytesLayout(t *testing.T) {
	r := Request{Client: "A", Timestamp: 0x0102030405060708, Op: []byte("op"), ReadOnly: true}
	want := []byte("pbft/request/v1\x00\x00\x00\x00\x01A\x01\x02\x03\x04\x05\x06\x07\x08\x01\x00\x00\x00\x02op")
	if got := r.SignedBytes(); !bytes.Equal(got, want) {
		t.Fatalf("SignedBytes = %q, want %q", got, want)
	}
	if got := r.AppendSignedBytes([]byte("x")); !bytes.Equal(got, append([]byte("x"), want...)) {
		t.Fatalf("AppendSignedBytes = %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = r.SignedBytes() }); n != 1 {
		t.Fatalf("SignedBytes makes %v allocations, want 1", n)
	}
}
