package wire

import (
	"bytes"
	"testing"

	"github.com/bftbank/pbft/pbft"
)

func TestViewChangeSignedBytes(t *testing.T) {
	vc := viewChange(3)
	base := ViewChangeSignedBytes(vc)
	if !bytes.HasPrefix(base, []byte(viewChangeDomain)) {
		t.Fatal("missing domain tag")
	}
	if vc.Sig == nil {
		t.Fatal("ViewChangeSignedBytes cleared the caller's signature")
	}
	resigned := *vc
	resigned.Sig = []byte("another signature")
	if !bytes.Equal(ViewChangeSignedBytes(&resigned), base) {
		t.Fatal("signed bytes depend on Sig")
	}
	changes := map[string]func(*pbft.ViewChange){
		"view":        func(v *pbft.ViewChange) { v.View++ },
		"replica":     func(v *pbft.ViewChange) { v.Replica++ },
		"stable":      func(v *pbft.ViewChange) { v.Stable.Seq++ },
		"prepared":    func(v *pbft.ViewChange) { v.Prepared = v.Prepared[:1] },
		"cert digest": func(v *pbft.ViewChange) { v.Prepared = []pbft.PreparedEntry{{Cert: cert(pbft.PrepareCert, 99)}} },
		"votes":       func(v *pbft.ViewChange) { v.Votes = nil },
		"vote digest": func(v *pbft.ViewChange) { v.Votes[0].Digest = digestOf("other") },
	}
	if !bytes.Equal(ViewChangeSignedBytes(vc.Slim()), base) {
		t.Fatal("a slim copy has different signed bytes from the full message")
	}
	for name, change := range changes {
		changed := viewChange(3)
		change(changed)
		if bytes.Equal(ViewChangeSignedBytes(changed), base) {
			t.Errorf("changing %s does not change the signed bytes", name)
		}
	}
}

// A VIEW-CHANGE carried inside a NEW-VIEW must verify against the same bytes its sender signed.
func TestViewChangeSignedBytesSurviveNewView(t *testing.T) {
	vc := viewChange(2)
	b1 := []pbft.Request{{Client: "A", Op: []byte{}}}
	vc.Votes = []pbft.VoteEntry{{View: 1, Seq: 2, Digest: pbft.BatchDigest(b1), Batch: b1}}
	signed := ViewChangeSignedBytes(vc)
	b, err := Encode(&pbft.NewView{View: 5, ViewChanges: []pbft.ViewChange{*vc}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	got := m.(*pbft.NewView).ViewChanges[0]
	if !bytes.Equal(ViewChangeSignedBytes(&got), signed) {
		t.Fatal("the decoded view-change has different signed bytes")
	}
}

func TestAppendReplySigned(t *testing.T) {
	r := reply()
	base := AppendReplySigned(nil, r)
	if !bytes.HasPrefix(base, []byte(replyDomain)) {
		t.Fatal("missing domain tag")
	}
	r.Sig = nil
	if !bytes.Equal(AppendReplySigned(nil, r), base) {
		t.Fatal("signed bytes depend on Sig")
	}
	r.Result = []byte("other")
	if bytes.Equal(AppendReplySigned(nil, r), base) {
		t.Fatal("signed bytes do not bind the result")
	}
}
