package sim

import "testing"

type namedAuth struct {
	name string
	auth Auth
}

// authsUnderTest is the fake authenticator plus, when available, the real one per scheme.
func authsUnderTest(t *testing.T) []namedAuth {
	return []namedAuth{{"fake", &FakeAuth{N: 7, F: 2}}}
}
