package node

import (
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// A FETCH-REPLY's certificates were all checked before the core dropped a reply it had not
// asked for, so a faulty replica could send unasked replies full of old, valid certificates
// (a pairing each). Now a reply is checked only against a credit that a FETCH to its sender
// granted; one reply per FETCH, at most maxFetchCredits held.
func TestUnaskedFetchReplyIsNotChecked(t *testing.T) {
	nd := inboundNode(t)
	frame := sealAs(t, 3, false, &pbft.FetchReply{})
	delivered := func() bool { return delivers(nd, 3, frame, time.Now()) }
	if delivered() {
		t.Fatal("a FETCH-REPLY nobody asked for was checked and delivered")
	}
	nd.grantFetch(3)
	if !delivered() {
		t.Fatal("the reply to a FETCH sent to n3 was dropped")
	}
	if delivered() {
		t.Fatal("a second reply to one FETCH was delivered")
	}
	for range 10 {
		nd.grantFetch(pbft.Broadcast)
	}
	got := 0
	for range 10 {
		if delivered() {
			got++
		}
	}
	if got != maxFetchCredits {
		t.Fatalf("%d replies delivered after 10 FETCHes, want the cap %d", got, maxFetchCredits)
	}
}

// A certificate at or below the stable checkpoint is useless to the core, and one evicted
// from the verified-certificate cache costs a pairing: a faulty replica replaying old ones
// made the receiver check each. Such a certificate is now dropped before its check (a bad one
// below the checkpoint proves nothing and penalizes nobody; one above it is checked).
func TestCertificateBelowStableIsNotChecked(t *testing.T) {
	nd := inboundNode(t)
	nd.published.Store(&observation{stable: 10})
	bad := func(s pbft.Seq) []byte {
		return sealAs(t, 3, false, &pbft.Cert{Type: pbft.CommitCert, View: 1, Seq: s, Sig: make([]byte, 48)})
	}
	if delivers(nd, 3, bad(10), time.Now()) || nd.penalties.proofs.Load() != 0 {
		t.Fatal("a certificate at the stable checkpoint was checked")
	}
	delivers(nd, 3, bad(11), time.Now())
	if nd.penalties.proofs.Load() != 1 {
		t.Fatal("a certificate above the stable checkpoint was not checked")
	}
}
