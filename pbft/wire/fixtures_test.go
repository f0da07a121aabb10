package wire

import (
	"crypto/sha256"
	"fmt"

	"github.com/bftbank/pbft/pbft"
)

// Fixtures shared by the tests and benchmarks of this package.

func digestOf(s string) pbft.Digest { return sha256.Sum256([]byte(s)) }

func filled(n int, b byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b + byte(i)
	}
	return out
}

func request(i int) pbft.Request {
	return pbft.Request{
		Client:    pbft.ClientID(fmt.Sprintf("c%d", i)),
		Timestamp: uint64(1000 + i),
		Op:        []byte(fmt.Sprintf(`{"op":"transfer","from":"A%d","to":"B","amount":%d}`, i, i)),
		ReadOnly:  i%7 == 3,
		Sig:       filled(64, byte(i)),
	}
}

func batch(n int) []pbft.Request {
	out := make([]pbft.Request, n)
	for i := range out {
		out[i] = request(i)
	}
	return out
}

func prePrepare(n int) *pbft.PrePrepare {
	b := batch(n)
	return &pbft.PrePrepare{View: 3, Seq: 41, Digest: pbft.BatchDigest(b), Batch: b}
}

func cert(kind pbft.CertKind, seq pbft.Seq) pbft.Cert {
	return pbft.Cert{Type: kind, View: 2, Seq: seq, Digest: digestOf(fmt.Sprint(seq)), Sig: filled(48, 9)}
}

func checkpointCert(seq pbft.Seq) pbft.CheckpointCert {
	return pbft.CheckpointCert{Seq: seq, State: digestOf("state"), Sig: filled(48, 4)}
}

func viewChange(replica pbft.NodeID) *pbft.ViewChange {
	return &pbft.ViewChange{
		View:    5,
		Replica: replica,
		Stable:  checkpointCert(20),
		Prepared: []pbft.PreparedEntry{
			{Cert: cert(pbft.PrepareCert, 21), Batch: batch(2)},
			{Cert: cert(pbft.FullCommitProof, 22), Batch: nil},
		},
		Votes: []pbft.VoteEntry{{View: 4, Seq: 23, Digest: pbft.BatchDigest(batch(1)), Batch: batch(1)}},
		Sig:   filled(64, byte(replica)),
	}
}

func reply() *pbft.Reply {
	return &pbft.Reply{
		View: 2, Replica: 4, Client: "A", Timestamp: 77, ReadOnly: true,
		Result: []byte(`{"ok":true}`), Seq: 12, Sig: filled(64, 1),
	}
}
