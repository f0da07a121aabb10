package crypto

import (
	"crypto/ed25519"
	"encoding/hex"
	"testing"

	"filippo.io/edwards25519"
)

// smallOrderEncodings are the encodings of the eight points of small order: canonical ones
// first, then the six non-canonical ones (y ≥ p, or x = 0 with the sign bit set). ZIP-215
// accepts all of them, as public keys A and as signature points R.
var smallOrderEncodings = []string{
	"0100000000000000000000000000000000000000000000000000000000000000",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	"0100000000000000000000000000000000000000000000000000000000000080",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
}

// groupOrder is ℓ, little-endian: an S of ℓ or more is non-canonical and always rejected.
const groupOrder = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"

func smallOrderPoints(t *testing.T) [][]byte {
	t.Helper()
	var out [][]byte
	for _, h := range smallOrderEncodings {
		b, _ := hex.DecodeString(h)
		p, err := new(edwards25519.Point).SetBytes(b)
		if err != nil {
			t.Fatalf("%s is not a point: %v", h, err)
		}
		if p.MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) != 1 {
			t.Fatalf("%s is not of small order", h)
		}
		out = append(out, b)
	}
	return out
}

// zip215Case is a signature R‖S of msg under key A with the result ZIP-215 requires.
type zip215Case struct {
	key VerifyKey
	sig []byte
	ok  bool
}

// zip215Cases are the ZIP-215 test vectors (every small-order A with every small-order R and
// S = 0, all valid) and the same with S = ℓ (all invalid: S must be canonical).
func zip215Cases(t *testing.T) []zip215Case {
	points := smallOrderPoints(t)
	sBad, _ := hex.DecodeString(groupOrder)
	var cases []zip215Case
	for _, a := range points {
		for _, r := range points {
			key := VerifyKey(a)
			good := append(append([]byte(nil), r...), make([]byte, 32)...)
			bad := append(append([]byte(nil), r...), sBad...)
			cases = append(cases, zip215Case{key, good, true}, zip215Case{key, bad, false})
		}
	}
	return cases
}

func TestEd25519ZIP215EdgeCases(t *testing.T) {
	msg := []byte("Zcash")
	cases := zip215Cases(t)
	batch := NewEd25519Batch(len(cases))
	stdRejects := 0
	for _, c := range cases {
		if got := c.key.Verify(msg, c.sig); got != c.ok {
			t.Errorf("A=%x sig=%x: Verify = %v, want %v", c.key, c.sig, got, c.ok)
		}
		if got := ExpandVerifyKey(c.key).Verify(msg, c.sig); got != c.ok {
			t.Errorf("A=%x sig=%x: expanded Verify = %v, want %v", c.key, c.sig, got, c.ok)
		}
		if c.ok && !ed25519.Verify(c.key[:], msg, c.sig) {
			stdRejects++
		}
		batch.Add(ExpandVerifyKey(c.key), msg, c.sig)
	}
	if stdRejects == 0 {
		t.Error("crypto/ed25519 accepts every vector: they do not test where ZIP-215 differs")
	}
	checkBatch(t, batch, cases)
}

// checkBatch verifies batch, whose entries are the cases, and wants each case's result.
func checkBatch(t *testing.T, batch *Ed25519Batch, cases []zip215Case) {
	t.Helper()
	valid := batch.Verify()
	if len(valid) != len(cases) {
		t.Fatalf("%d results for %d signatures", len(valid), len(cases))
	}
	for i, c := range cases {
		if valid[i] != c.ok {
			t.Errorf("batch entry %d (A=%x sig=%x): %v, want %v", i, c.key, c.sig, valid[i], c.ok)
		}
	}
}

func TestEd25519BatchOfValidEdgeCasesPasses(t *testing.T) {
	msg := []byte("Zcash")
	var valid []zip215Case
	for _, c := range zip215Cases(t) {
		if c.ok {
			valid = append(valid, c)
		}
	}
	// Mixed with ordinary signatures, so the batch equation (not the one-by-one fallback)
	// decides: it must accept them all.
	k, _ := GenerateSigningKey(nil)
	batch := NewEd25519Batch(len(valid) + 1)
	for _, c := range valid {
		batch.Add(ExpandVerifyKey(c.key), msg, c.sig)
	}
	batch.Add(ExpandVerifyKey(k.Public()), msg, k.Sign(msg))
	if !batch.eq.holds(batch.entries, batch.queued()) {
		t.Fatal("the batch equation rejects valid ZIP-215 signatures")
	}
	checkBatch(t, batch, append(valid, zip215Case{k.Public(), k.Sign(msg), true}))
}
