package crypto

import "testing"

func TestSharedKeyAgreesBothWays(t *testing.T) {
	a, _ := GenerateSigningKey(nil)
	b, _ := GenerateSigningKey(nil)
	c, _ := GenerateSigningKey(nil)
	ab, err := a.SharedKey(b.Public(), "test", []byte("ctx"))
	if err != nil {
		t.Fatal(err)
	}
	ba, err := b.SharedKey(a.Public(), "test", []byte("ctx"))
	if err != nil || ab != ba {
		t.Fatalf("a-b %x, b-a %x, %v", ab, ba, err)
	}
	if ac, _ := a.SharedKey(c.Public(), "test", []byte("ctx")); ac == ab {
		t.Fatal("a-c equals a-b")
	}
	if other, _ := a.SharedKey(b.Public(), "test", []byte("other")); other == ab {
		t.Fatal("the context does not separate keys")
	}
	var identity VerifyKey
	identity[0] = 1 // the identity point, of small order
	if _, err := a.SharedKey(identity, "test", nil); err == nil {
		t.Fatal("a small-order peer key gave a shared key")
	}
	var bad VerifyKey
	bad[0] = 2 // y = 2 is not the y of a curve point
	if _, err := a.SharedKey(bad, "test", nil); err == nil {
		t.Fatal("an invalid point gave a shared key")
	}
}

func BenchmarkSharedKey(b *testing.B) {
	x, _ := GenerateSigningKey(nil)
	y, _ := GenerateSigningKey(nil)
	for b.Loop() {
		x.SharedKey(y.Public(), "bench", nil)
	}
}
