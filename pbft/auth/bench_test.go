package auth

import (
	"fmt"
	"testing"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

// benchRequests deals a 4-replica cluster with n clients and one signed request from each.
func benchRequests(b testing.TB, n int) (*crypto.ClusterKeys, []*pbft.Request) {
	b.Helper()
	keys, err := crypto.DealCluster(crypto.SchemeBLS12381, 4, 1, []byte("bench"))
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("c%d", i)
	}
	if err := keys.AddClients([]byte("bench"), names...); err != nil {
		b.Fatal(err)
	}
	reqs := make([]*pbft.Request, n)
	for i, name := range names {
		reqs[i] = &pbft.Request{Client: pbft.ClientID(name), Timestamp: 1, Op: []byte("transfer c0 c1 5")}
		SignRequest(keys.Clients[name], reqs[i])
	}
	return keys, reqs
}

// BenchmarkVerifyRequests checks batches of 1, 16 and 128 requests of distinct clients, with
// the verified-request cache emptied before each batch and the client keys expanded already.
func BenchmarkVerifyRequests(b *testing.B) {
	for _, n := range []int{1, 16, 128} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			keys, reqs := benchRequests(b, n)
			a := New(keys.Public, nil)
			a.VerifyRequests(reqs) // expands the client keys, as a running replica has
			for b.Loop() {
				a.requests.reset()
				for _, err := range a.VerifyRequests(reqs) {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/request")
		})
	}
}

// BenchmarkFrame seals (signs) and opens (verifies) a COMMIT frame, the most frequent
// replica-to-replica message.
func BenchmarkFrame(b *testing.B) {
	keys, _ := benchRequests(b, 1)
	sender, receiver := New(keys.Public, keys.Replicas[0]), New(keys.Public, keys.Replicas[1])
	commit := &pbft.Commit{View: 1, Seq: 9, Tau: make([]byte, 48)}
	frame, err := sender.Seal(commit)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Seal", func(b *testing.B) {
		body := frame[:len(frame)/2]
		for b.Loop() {
			if _, err := sender.SealBody(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Open", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := receiver.Open(frame); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifyRequestsOneForged checks 128 requests of which one is forged: the batch
// fails and every signature is checked one by one to find it.
func BenchmarkVerifyRequestsOneForged(b *testing.B) {
	keys, reqs := benchRequests(b, 128)
	reqs[77].Op = []byte("transfer c0 c1 500")
	a := New(keys.Public, nil)
	for b.Loop() {
		a.requests.reset()
		if errs := a.VerifyRequests(reqs); errs[77] == nil || errs[76] != nil {
			b.Fatal("forged request not found")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(reqs)), "ns/request")
}

// BenchmarkReplyMAC is a replica's MAC over one reply and its client's check of it.
func BenchmarkReplyMAC(b *testing.B) {
	k, _ := benchRequests(b, 1)
	replica := New(k.Public, k.Replicas[0])
	client, err := NewClient(k.Public, "c0", k.Clients["c0"])
	if err != nil {
		b.Fatal(err)
	}
	rep := pbft.Reply{View: 1, Replica: 1, Client: "c0", Timestamp: 7, Result: []byte("ok 1234"), Seq: 9}
	b.Run("sign", func(b *testing.B) {
		for b.Loop() {
			replica.SignReply(&rep)
		}
	})
	b.Run("verify", func(b *testing.B) {
		replica.SignReply(&rep)
		for b.Loop() {
			if err := client.VerifyReply(&rep); err != nil {
				b.Fatal(err)
			}
		}
	})
}
