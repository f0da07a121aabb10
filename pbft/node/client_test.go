package node

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/transport"
	"github.com/bftbank/pbft/pbft/wire"
	"github.com/bftbank/pbft/smallbank"
)

// testClient is a minimal closed-loop client speaking the framing of the package doc: it
// signs requests, sends them to n1 (reads to everyone), re-sends to everyone on a timer,
// and accepts a result once enough replicas sent matching, verified replies.
type testClient struct {
	id       pbft.ClientID
	key      *crypto.SigningKey
	verifier *auth.Authenticator
	conn     *transport.ClientConn
	replies  chan *pbft.Reply
	rejected atomic.Uint64 // replies that failed verification
	last     uint64        // last timestamp used
}

func newTestClient(t testing.TB, c *testCluster, name string) *testClient {
	t.Helper()
	verifier, err := auth.NewClient(c.keys.Public, pbft.ClientID(name), c.keys.Clients[name])
	if err != nil {
		t.Fatal(err)
	}
	tc := &testClient{id: pbft.ClientID(name), key: c.keys.Clients[name],
		verifier: verifier, replies: make(chan *pbft.Reply, 1024)}
	conn, err := transport.DialClient(tc.id, tc.key, c.cfg.Addrs(), tc.onReply)
	if err != nil {
		t.Fatal(err)
	}
	tc.conn = conn
	t.Cleanup(func() { conn.Close() })
	return tc
}

// onReply keeps the replies whose frame and signature check out.
func (tc *testClient) onReply(from pbft.NodeID, frame []byte) {
	rep := &pbft.Reply{}
	err := wire.DecodeReplyFor(frame, tc.id, rep)
	if err != nil || rep.Replica != from || tc.verifier.VerifyReply(rep) != nil {
		tc.rejected.Add(1)
		return
	}
	tc.replies <- rep
}

// outcome is what a client accepted.
type outcome struct {
	result smallbank.Result
	seq    pbft.Seq
}

// submit orders op (or reads it, for a read-only op) and waits for the quorum of replies.
func (tc *testClient) submit(t testing.TB, op smallbank.Op) outcome {
	t.Helper()
	out, err := tc.try(op, waitTimeout)
	if err != nil {
		t.Fatalf("client %s %v: %v", tc.id, op, err)
	}
	return out
}

func (tc *testClient) try(op smallbank.Op, timeout time.Duration) (outcome, error) {
	body, err := smallbank.EncodeOp(op)
	if err != nil {
		return outcome{}, err
	}
	tc.last++
	req := &pbft.Request{Client: tc.id, Timestamp: tc.last, Op: body, ReadOnly: op.ReadOnly()}
	auth.SignRequest(tc.key, req)
	frame, err := clientFrame(req)
	if err != nil {
		return outcome{}, err
	}
	need := 3 // f+1
	if req.ReadOnly {
		need = 5 // 2f+1
		tc.conn.Broadcast(frame)
	} else {
		tc.conn.Send(1, frame)
	}
	return tc.await(req, need, frame, timeout)
}

// await collects replies to req until need of them match; it re-sends to every replica
// every half second.
func (tc *testClient) await(req *pbft.Request, need int, frame []byte, timeout time.Duration) (outcome, error) {
	votes := map[string]map[pbft.NodeID]bool{}
	resend := time.NewTicker(500 * time.Millisecond)
	defer resend.Stop()
	deadline := time.After(timeout)
	for {
		select {
		case rep := <-tc.replies:
			if rep.Timestamp != req.Timestamp || rep.ReadOnly != req.ReadOnly {
				continue
			}
			key := fmt.Sprintf("%d/%x", rep.Seq, rep.Result)
			if votes[key] == nil {
				votes[key] = map[pbft.NodeID]bool{}
			}
			votes[key][rep.Replica] = true
			if len(votes[key]) >= need {
				res, err := smallbank.DecodeResult(rep.Result)
				return outcome{result: res, seq: rep.Seq}, err
			}
		case <-resend.C:
			tc.conn.Broadcast(frame)
		case <-deadline:
			return outcome{}, fmt.Errorf("no %d matching replies (got %v)", need, votes)
		}
	}
}

// clientFrame frames a request as a client sends it.
func clientFrame(req *pbft.Request) ([]byte, error) { return wire.AppendRequestFrame(nil, req) }

func transfer(from, to string, amount int64) smallbank.Op {
	return smallbank.Op{Kind: smallbank.OpSendPayment, Account: from, Dest: to, Amount: amount}
}

func balanceOf(account string) smallbank.Op {
	return smallbank.Op{Kind: smallbank.OpBalance, Account: account}
}
