package auth

import (
	"errors"
	"testing"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

// TestSignAttackSeals checks the corrupt sealer: shares that are well-formed but do not
// verify, frames that Open rejects, replies whose MAC fails and VIEW-CHANGEs whose signature
// fails; the honest sealer passes every check.
func TestSignAttackSeals(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	pub, verifier := c.keys.Public, c.auths[0]
	prep := &pbft.Prepare{View: 1, Seq: 4, Digest: pbft.Digest{1, 2, 3}}
	payload := pbft.SharePayload(pbft.SharePrepare, prep.View, prep.Seq, prep.Digest)
	clientA, err := NewClient(pub, "A", c.keys.Clients["A"])
	if err != nil {
		t.Fatal(err)
	}
	for _, corrupt := range []bool{false, true} {
		s := c.auths[6].Sealer(corrupt)
		filled, err := s.Fill(prep)
		if err != nil {
			t.Fatal(err)
		}
		p := filled.(*pbft.Prepare)
		tauErr := pub.Tau.VerifyShare(payload, crypto.Share{Index: 7, Sig: p.Tau})
		sigmaErr := pub.Sigma.VerifyShare(payload, crypto.Share{Index: 7, Sig: p.Sigma})
		if (tauErr != nil) != corrupt || (sigmaErr != nil) != corrupt {
			t.Errorf("corrupt=%v: share checks τ=%v σ=%v", corrupt, tauErr, sigmaErr)
		}
		frame, err := s.Frame(filled)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = verifier.Open(frame)
		if corrupt != errors.Is(err, ErrBadFrame) || (!corrupt && err != nil) {
			t.Errorf("corrupt=%v: Open gave %v", corrupt, err)
		}
		rep := pbft.Reply{View: 1, Replica: 7, Client: "A", Timestamp: 3, Result: []byte{1}}
		s.SignReply(&rep)
		if err := clientA.VerifyReply(&rep); (err != nil) != corrupt {
			t.Errorf("corrupt=%v: reply check gave %v", corrupt, err)
		}
		vc, err := s.Fill(&pbft.ViewChange{View: 2, Replica: 7})
		if err != nil {
			t.Fatal(err)
		}
		if err := verifier.Verify(vc); (err != nil) != corrupt {
			t.Errorf("corrupt=%v: VIEW-CHANGE check gave %v", corrupt, err)
		}
	}
}
