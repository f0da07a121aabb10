package crypto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"filippo.io/edwards25519"
)

func TestEd25519SignVerify(t *testing.T) {
	seed := bytes.Repeat([]byte{7}, SeedSize)
	k, err := GenerateSigningKey(seed)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := GenerateSigningKey(nil)
	msg := []byte("pbft/request/v1 transfer A B 3")
	sig := k.Sign(msg)
	flipped := append([]byte(nil), sig...)
	flipped[10] ^= 1
	cases := []struct {
		name string
		key  VerifyKey
		msg  []byte
		sig  []byte
		ok   bool
	}{
		{"valid", k.Public(), msg, sig, true},
		{"other message", k.Public(), []byte("transfer A B 4"), sig, false},
		{"flipped bit", k.Public(), msg, flipped, false},
		{"other key", other.Public(), msg, sig, false},
		{"short signature", k.Public(), msg, sig[:63], false},
		{"long signature", k.Public(), msg, append(append([]byte(nil), sig...), 0), false},
		{"nil signature", k.Public(), msg, nil, false},
		{"zero key", VerifyKey{}, msg, sig, false},
	}
	all := NewEd25519Batch(len(cases))
	for _, c := range cases {
		if got := c.key.Verify(c.msg, c.sig); got != c.ok {
			t.Errorf("%s: Verify = %v, want %v", c.name, got, c.ok)
		}
		if err := c.key.Check(c.msg, c.sig); (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrBadEd25519)) {
			t.Errorf("%s: Check = %v", c.name, err)
		}
		exp := ExpandVerifyKey(c.key)
		if got := exp.Verify(c.msg, c.sig); got != c.ok || exp.Key() != c.key {
			t.Errorf("%s: expanded Verify = %v, want %v", c.name, got, c.ok)
		}
		if err := exp.Check(c.msg, c.sig); (err == nil) != c.ok {
			t.Errorf("%s: expanded Check = %v", c.name, err)
		}
		// In a batch with a valid signature, so that the batch equation is used.
		pair := NewEd25519Batch(2)
		pair.Add(ExpandVerifyKey(other.Public()), msg, other.Sign(msg))
		pair.Add(exp, c.msg, c.sig)
		if got := pair.Verify(); !got[0] || got[1] != c.ok {
			t.Errorf("%s: batch = %v, want [true %v]", c.name, got, c.ok)
		}
		all.Add(exp, c.msg, c.sig)
	}
	for i, ok := range all.Verify() {
		if ok != cases[i].ok {
			t.Errorf("%s in a batch of all cases: %v, want %v", cases[i].name, ok, cases[i].ok)
		}
	}
	if pub := k.Public(); !ed25519.Verify(pub[:], msg, sig) {
		t.Error("crypto/ed25519 rejects the signature")
	}
}

func TestEd25519KeyGeneration(t *testing.T) {
	seed := bytes.Repeat([]byte{1}, SeedSize)
	a, _ := GenerateSigningKey(seed)
	b, _ := GenerateSigningKey(seed)
	if a.Public() != b.Public() || !bytes.Equal(a.Seed(), seed) {
		t.Error("same seed, different keys")
	}
	r1, _ := GenerateSigningKey(nil)
	r2, _ := GenerateSigningKey(nil)
	if r1.Public() == r2.Public() {
		t.Error("two random keys are equal")
	}
	for _, n := range []int{1, 31, 33, 64} {
		if _, err := GenerateSigningKey(make([]byte, n)); !errors.Is(err, ErrMalformed) {
			t.Errorf("seed of %d bytes: %v, want ErrMalformed", n, err)
		}
	}
}

func TestEd25519Encoding(t *testing.T) {
	k, _ := GenerateSigningKey(bytes.Repeat([]byte{9}, SeedSize))
	text, _ := k.MarshalText()
	full := ed25519.NewKeyFromSeed(k.Seed())
	badFull := append([]byte(nil), full...)
	badFull[40] ^= 1
	cases := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"hex seed", text, true},
		{"hex seed with newline", append(append([]byte(nil), text...), '\n'), true},
		{"raw seed", k.Seed(), true},
		{"raw 64-byte key", full, true},
		{"hex 64-byte key", []byte(hex.EncodeToString(full)), true},
		{"64-byte key, halves disagree", badFull, false},
		{"short", text[:10], false},
		{"not hex", bytes.Repeat([]byte{'z'}, 64), false},
		{"empty", nil, false},
	}
	for _, c := range cases {
		got, err := ParseSigningKey(c.in)
		if (err == nil) != c.ok {
			t.Errorf("%s: ParseSigningKey error %v, want ok=%v", c.name, err, c.ok)
			continue
		}
		if err == nil && got.Public() != k.Public() {
			t.Errorf("%s: parsed a different key", c.name)
		}
	}

	vk := k.Public()
	for _, in := range [][]byte{[]byte(vk.String()), vk[:], []byte(" " + vk.String() + "\n")} {
		if got, err := ParseVerifyKey(in); err != nil || got != vk {
			t.Errorf("ParseVerifyKey(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range [][]byte{nil, vk[:31], []byte(vk.String()[:62])} {
		if _, err := ParseVerifyKey(in); err == nil {
			t.Errorf("ParseVerifyKey(%q) accepted", in)
		}
	}
	js, err := json.Marshal(map[string]VerifyKey{"A": vk})
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]VerifyKey
	if err := json.Unmarshal(js, &back); err != nil || back["A"] != vk {
		t.Errorf("JSON round trip: %v %v", back, err)
	}
}

func TestEd25519SignMatchesStdlib(t *testing.T) {
	msgs := [][]byte{nil, []byte("x"), bytes.Repeat([]byte("pbft/request/v1 "), 100)}
	for i := range 8 {
		seed := DeriveSeed([]byte("stdlib"), string(rune('a'+i)))
		k, err := GenerateSigningKey(seed)
		if err != nil {
			t.Fatal(err)
		}
		std := ed25519.NewKeyFromSeed(seed)
		if pub := k.Public(); !bytes.Equal(pub[:], std.Public().(ed25519.PublicKey)) {
			t.Fatalf("seed %d: public key differs from crypto/ed25519's", i)
		}
		for _, m := range msgs {
			if got, want := k.Sign(m), ed25519.Sign(std, m); !bytes.Equal(got, want) {
				t.Fatalf("seed %d, message of %d bytes: signature %x, crypto/ed25519 gives %x", i, len(m), got, want)
			}
		}
	}
}

// notAPoint returns a 32-byte string that decodes to no curve point.
func notAPoint(t *testing.T) VerifyKey {
	t.Helper()
	for y := byte(2); y < 255; y++ {
		v := VerifyKey{y}
		if _, err := new(edwards25519.Point).SetBytes(v[:]); err != nil {
			return v
		}
	}
	t.Fatal("no invalid encoding found")
	return VerifyKey{}
}

func TestEd25519BatchFindsTheBadOnes(t *testing.T) {
	msg := []byte("pbft/request/v1 transfer A B 3")
	batch := NewEd25519Batch(0)
	var want []bool
	for i := range 20 {
		k, _ := GenerateSigningKey(DeriveSeed([]byte("batch"), string(rune('a'+i))))
		sig, key := k.Sign(msg), k.Public()
		ok := true
		switch i {
		case 3: // forged: another message
			sig = k.Sign([]byte("transfer A B 4"))
			ok = false
		case 8: // short signature
			sig = sig[:40]
			ok = false
		case 11: // key that is not a point
			key = notAPoint(t)
			ok = false
		case 15: // S ≥ ℓ
			sig = append(sig[:32:32], bytes.Repeat([]byte{0xff}, 32)...)
			ok = false
		}
		exp := ExpandVerifyKey(key)
		if exp.Valid() != (i != 11) {
			t.Fatalf("key %d: Valid = %v", i, exp.Valid())
		}
		if key.Verify(msg, sig) != ok || exp.Verify(msg, sig) != ok {
			t.Fatalf("signature %d: verifies alone %v, want %v", i, !ok, ok)
		}
		batch.Add(exp, msg, sig)
		want = append(want, ok)
	}
	if batch.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", batch.Len(), len(want))
	}
	got := batch.Verify()
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %v, want %v", i, got[i], want[i])
		}
	}
	if got := NewEd25519Batch(4).Verify(); len(got) != 0 {
		t.Errorf("empty batch: %v", got)
	}
}

func TestClusterPublicExpandsEachKeyOnce(t *testing.T) {
	keys, err := DealCluster(SchemeBN256, 4, 1, []byte("expand-once"))
	if err != nil {
		t.Fatal(err)
	}
	pub := keys.Public
	k := pub.Replicas[0]
	first := pub.Expanded(k)
	if first.Key() != k || !first.Valid() || pub.Expanded(k) != first {
		t.Fatal("a dealt cluster's key was not expanded once and kept")
	}
	bare := &ClusterPublic{Replicas: pub.Replicas} // not made by DealCluster: nothing kept
	if e := bare.Expanded(k); e.Key() != k || !e.Valid() || e == first {
		t.Fatal("a bare ClusterPublic did not expand the key on its own")
	}
}
