package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

type cluster struct {
	keys  *crypto.ClusterKeys
	auths []*Authenticator
}

func newCluster(t *testing.T, scheme string) *cluster {
	t.Helper()
	keys, err := crypto.DealCluster(scheme, 7, 2, []byte("auth-test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.AddClients([]byte("auth-test"), "A", "B"); err != nil {
		t.Fatal(err)
	}
	c := &cluster{keys: keys}
	for _, sec := range keys.Replicas {
		c.auths = append(c.auths, New(keys.Public, sec))
	}
	return c
}

func (c *cluster) request(client string, t uint64) pbft.Request {
	r := pbft.Request{Client: pbft.ClientID(client), Timestamp: t, Op: []byte("op")}
	SignRequest(c.keys.Clients[client], &r)
	return r
}

func schemes() []string { return []string{crypto.SchemeBLS12381, crypto.SchemeBN256} }

// prepareShares returns the τ-shares the seven replicas put in their PREPAREs for (v, s, d).
func (c *cluster) prepareShares(t *testing.T, v pbft.View, s pbft.Seq, d pbft.Digest) []pbft.Share {
	var out []pbft.Share
	for i, a := range c.auths {
		m, err := a.Fill(&pbft.Prepare{View: v, Seq: s, Digest: d})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pbft.Share{From: pbft.NodeID(i + 1), Sig: m.(*pbft.Prepare).Tau})
	}
	return out
}

func TestCollectorFormsCertificateDespiteBadShare(t *testing.T) {
	for _, scheme := range schemes() {
		t.Run(scheme, func(t *testing.T) {
			c := newCluster(t, scheme)
			d := pbft.BatchDigest(nil)
			shares := c.prepareShares(t, 1, 1, d)
			// n3's share is for another slot: well-formed, but wrong.
			other := c.prepareShares(t, 1, 2, d)
			job := pbft.CombineJob{Key: pbft.KeyTau, Cert: pbft.PrepareCert, View: 1, Seq: 1, Digest: d,
				Shares: []pbft.Share{other[2], shares[0], shares[1], shares[3], shares[4], shares[5]}}
			res := c.auths[0].Combine(job)
			if len(res.Sig) == 0 {
				t.Fatal("no certificate from 5 good shares and 1 bad one")
			}
			if len(res.Bad) != 1 || res.Bad[0] != 3 {
				t.Fatalf("bad shares reported %v, want [n3]", res.Bad)
			}
			cert := &pbft.Cert{Type: pbft.PrepareCert, View: 1, Seq: 1, Digest: d, Sig: res.Sig}
			if err := c.auths[5].VerifyCert(cert); err != nil {
				t.Fatalf("combined certificate does not verify: %v", err)
			}
			// With only four good shares there is no certificate.
			job.Shares = job.Shares[:5]
			if res := c.auths[0].Combine(job); len(res.Sig) != 0 {
				t.Fatal("a certificate from 4 good shares")
			}
		})
	}
}

func TestForgedRequestInPrePrepareRefused(t *testing.T) {
	for _, scheme := range schemes() {
		t.Run(scheme, func(t *testing.T) {
			c := newCluster(t, scheme)
			good := c.request("A", 1)
			forged := c.request("B", 1)
			forged.Op = []byte("steal") // the signature no longer matches
			batch := []pbft.Request{good, forged}
			pp := &pbft.PrePrepare{View: 1, Seq: 1, Digest: pbft.BatchDigest(batch), Batch: batch}
			frame, err := c.auths[0].Seal(pp)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.auths[1].Open(frame); !errors.Is(err, ErrBadRequest) {
				t.Fatalf("forged request accepted (err %v)", err)
			}
			pp.Batch = []pbft.Request{good}
			pp.Digest = pbft.BatchDigest(pp.Batch)
			frame, _ = c.auths[0].Seal(pp)
			from, m, err := c.auths[1].Open(frame)
			if err != nil || from != 1 || m.(*pbft.PrePrepare).Digest != pp.Digest {
				t.Fatalf("honest pre-prepare refused: %v", err)
			}
		})
	}
}

func TestTamperedFrameAndForgedCertRefused(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	frame, err := c.auths[2].Seal(&pbft.Status{View: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range frame {
		bad := append([]byte(nil), frame...)
		bad[i] ^= 0x40
		if _, _, err := c.auths[0].Open(bad); err == nil {
			// A flipped bit may land in an unused varint bit only if the decoder tolerates it;
			// the signature must still catch any change to the body.
			t.Fatalf("tampered frame (byte %d) accepted", i)
		}
	}
	forged := &pbft.Cert{Type: pbft.CommitCert, View: 1, Seq: 1, Sig: make([]byte, 48)}
	frame, _ = c.auths[0].Seal(forged)
	if _, _, err := c.auths[1].Open(frame); err == nil {
		t.Fatal("forged certificate accepted")
	}
}

func TestViewChangeSignatureTravelsInNewView(t *testing.T) {
	c := newCluster(t, crypto.SchemeBN256)
	var vcs []pbft.ViewChange
	for i := 0; i < 5; i++ {
		m, err := c.auths[i].Fill(&pbft.ViewChange{View: 2, Replica: pbft.NodeID(i + 1)})
		if err != nil {
			t.Fatal(err)
		}
		vcs = append(vcs, *m.(*pbft.ViewChange))
	}
	nv := &pbft.NewView{View: 2, ViewChanges: vcs}
	frame, _ := c.auths[1].Seal(nv)
	if _, _, err := c.auths[4].Open(frame); err != nil {
		t.Fatalf("valid NEW-VIEW refused: %v", err)
	}
	nv.ViewChanges[3].Replica = 7 // claims to be from n7, signed by n4
	frame, _ = c.auths[1].Seal(nv)
	if _, _, err := c.auths[4].Open(frame); err == nil {
		t.Fatal("NEW-VIEW with a misattributed VIEW-CHANGE accepted")
	}
}

func TestReplyAuthentication(t *testing.T) {
	c := newCluster(t, crypto.SchemeBLS12381)
	rep := &pbft.Reply{View: 1, Replica: 3, Client: "A", Timestamp: 9, Result: []byte("ok")}
	c.auths[2].SignReply(rep)
	if len(rep.Sig) != 32 {
		t.Fatalf("reply MAC of %d bytes", len(rep.Sig))
	}
	if c.auths[0].VerifyReply(rep) == nil {
		t.Fatal("a replica checked a MAC meant for client A")
	}
	clientA, err := NewClient(c.keys.Public, "A", c.keys.Clients["A"])
	if err != nil {
		t.Fatal(err)
	}
	if err := clientA.VerifyReply(rep); err != nil {
		t.Fatal(err)
	}
	rep.Replica = 4
	if clientA.VerifyReply(rep) == nil {
		t.Fatal("reply attributed to another replica accepted")
	}
	rep.Replica, rep.Result = 3, []byte("no")
	if clientA.VerifyReply(rep) == nil {
		t.Fatal("altered reply accepted")
	}
	other := &pbft.Reply{View: 1, Replica: 3, Client: "B", Timestamp: 9, Result: []byte("ok")}
	c.auths[2].SignReply(other)
	if clientA.VerifyReply(other) == nil {
		t.Fatal("client A accepted a reply to B")
	}
}

// TestReplyMACIsHMAC checks the precomputed-state MAC against crypto/hmac for keys and
// messages of several shapes, and from concurrent goroutines.
func TestReplyMACIsHMAC(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				var key [crypto.SharedKeySize]byte
				for j := range key {
					key[j] = byte(g*31 + i*7 + j)
				}
				msg := bytes.Repeat([]byte{byte(i)}, i*3)
				want := hmac.New(sha256.New, key[:])
				want.Write(msg)
				st := macPool.Get().(*macState)
				st.msg = append(st.msg[:0], msg...)
				newKeyedMAC(key).compute(st)
				got := st.out
				macPool.Put(st)
				if !bytes.Equal(got[:], want.Sum(nil)) {
					t.Errorf("key %d/%d, message of %d bytes: MAC differs from crypto/hmac", g, i, len(msg))
					return
				}
			}
		})
	}
	wg.Wait()
}
