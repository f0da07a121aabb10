package pbft

import "testing"

// digestApp is an application with a fixed digest, enough to drive stateDigest.
type digestApp struct{ d Digest }

func (a digestApp) Execute([]byte) []byte { return nil }
func (a digestApp) Query([]byte) []byte   { return nil }
func (a digestApp) Digest() Digest        { return a.d }
func (a digestApp) Snapshot() []byte      { return nil }
func (a digestApp) Restore([]byte) error  { return nil }

// TestCombineStateDigestMatches keeps the staged digest (restoreVerified) computed exactly as
// the state digest of the current state (clients.go).
func TestCombineStateDigestMatches(t *testing.T) {
	app := digestApp{d: Digest{1, 2, 3}}
	r, err := New(DefaultConfig(1, 2, app))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []ClientID{"", "A", "c17"} {
		r.clients.set(c, uint64(i+1), []byte{byte(i)}, Seq(i+5))
		if got, want := combineStateDigest(app.d, r.clients), r.stateDigest(); got != want {
			t.Fatalf("after %d clients: staged digest %s, state digest %s", i+1, got, want)
		}
	}
}
