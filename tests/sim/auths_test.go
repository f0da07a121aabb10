package sim

import (
	"testing"

	"github.com/bftbank/pbft/crypto"
)

type namedAuth struct {
	name string
	auth Auth
}

// authsUnderTest is the fake authenticator and the real one with each threshold scheme.
func authsUnderTest(t *testing.T) []namedAuth {
	t.Helper()
	out := []namedAuth{{"fake", &FakeAuth{N: 7, F: 2}}}
	for _, scheme := range []string{crypto.SchemeBLS12381, crypto.SchemeBN256} {
		a, err := NewRealAuth(scheme, 2, 10, []byte("sim-seed"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, namedAuth{scheme, a})
	}
	return out
}
