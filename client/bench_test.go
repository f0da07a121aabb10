package client

import (
	"context"
	"testing"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/wire"
	"github.com/bftbank/pbft/smallbank"
)

// memLink is a link to n in-process fake replicas that answer every request at once, with
// correctly authenticated replies, on their own goroutine (as a connection's reader would
// deliver them), so that a benchmark times the client and not a network. Every replica
// answers each request once, however many copies of it were sent.
type memLink struct {
	signers []*auth.Authenticator
	result  []byte
	inbox   chan []byte
	deliver func(from pbft.NodeID, frame []byte)
}

func newMemLink(keys *crypto.ClusterKeys, deliver func(pbft.NodeID, []byte)) *memLink {
	l := &memLink{result: smallbank.EncodeResult(smallbank.Result{OK: true, Value: 10}),
		inbox: make(chan []byte, 16), deliver: deliver}
	for _, sk := range keys.Replicas {
		l.signers = append(l.signers, auth.New(keys.Public, sk))
	}
	go l.serve()
	return l
}

func (l *memLink) Send(_ pbft.NodeID, frame []byte) bool { l.inbox <- frame; return true }
func (l *memLink) Broadcast(frame []byte) int            { l.inbox <- frame; return len(l.signers) }
func (l *memLink) unreached() []pbft.NodeID              { return nil }
func (l *memLink) Close() error                          { close(l.inbox); return nil }

func (l *memLink) serve() {
	var seq pbft.Seq
	for frame := range l.inbox {
		seq++
		l.answer(frame, seq)
	}
}

// answer has every replica reply to the request in frame, as executed at slot seq.
func (l *memLink) answer(frame []byte, seq pbft.Seq) {
	req, err := wire.DecodeRequestFrame(frame)
	if err != nil {
		panic(err)
	}
	if req.ReadOnly {
		seq = 0
	}
	for i, s := range l.signers {
		rep := pbft.Reply{View: 1, Replica: pbft.NodeID(i + 1), Client: req.Client, Timestamp: req.Timestamp,
			ReadOnly: req.ReadOnly, Result: l.result, Seq: seq, Op: pbft.OpDigest(req.Op)}
		s.SignReply(&rep)
		out, err := wire.EncodeReply(&rep)
		if err != nil {
			panic(err)
		}
		l.deliver(rep.Replica, out)
	}
}

// newBenchClient returns client A of a 7-replica cluster whose replicas are a memLink.
func newBenchClient(b *testing.B, opts Options) *Client {
	b.Helper()
	keys, err := crypto.DealCluster(crypto.SchemeBLS12381, 7, 2, []byte("client-bench"))
	if err != nil {
		b.Fatal(err)
	}
	if err := keys.AddClients([]byte("client-bench"), "A"); err != nil {
		b.Fatal(err)
	}
	cfg := cluster.Default(2, 1)
	c, err := New(cfg, "A", keys.Clients["A"], keys.Public, opts)
	if err != nil {
		b.Fatal(err)
	}
	c.conn.Close() // never dialed: replaced by the in-process replicas
	c.conn = newMemLink(keys, c.onReply)
	b.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkSubmit times ordered round trips: sign, send to the leader, take 7 replies of
// which f+1 = 3 are needed. The fake replicas' own work is BenchmarkFakeReplicas. Each call
// is unbounded, bounded by a context.WithTimeout of its own (as the bench driver's terminals
// used to do), or by Options.CallTimeout (as they do now).
func BenchmarkSubmit(b *testing.B) {
	for _, tc := range []struct {
		name       string
		opts       Options
		contextPer bool
	}{
		{name: "plain"},
		{name: "ContextPerOp", contextPer: true},
		{name: "CallTimeout", opts: Options{CallTimeout: time.Minute}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := newBenchClient(b, tc.opts)
			op := encode(b, "DepositChecking(A, 1)")
			parent, cancel := context.WithCancel(context.Background())
			defer cancel()
			b.ReportAllocs()
			for b.Loop() {
				ctx, done := parent, context.CancelFunc(func() {})
				if tc.contextPer {
					ctx, done = context.WithTimeout(parent, time.Minute)
				}
				_, err := c.Submit(ctx, op)
				done()
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRead times read-only round trips (2f+1 = 5 matching replies of 7).
func BenchmarkRead(b *testing.B) {
	c := newBenchClient(b, Options{})
	op := encode(b, "DepositChecking(A, 1)")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		out, err := c.Read(ctx, op)
		if err != nil || !out.ReadOnly {
			b.Fatal(out, err)
		}
	}
}

// BenchmarkFakeReplicas is the in-process replicas' share of BenchmarkSubmit: decoding a
// request and signing and encoding 7 replies.
func BenchmarkFakeReplicas(b *testing.B) {
	c := newBenchClient(b, Options{})
	_, frame, err := c.begin(encode(b, "DepositChecking(A, 1)"), false)
	if err != nil {
		b.Fatal(err)
	}
	c.end()
	l := c.conn.(*memLink)
	l.deliver = func(pbft.NodeID, []byte) {}
	b.ReportAllocs()
	for b.Loop() {
		l.answer(frame, 1)
	}
}

// BenchmarkReplies times the client's handling of the 7 replies of an ordered request (3
// accepted, 4 arriving after the quorum), from frames encoded and signed beforehand.
func BenchmarkReplies(b *testing.B) {
	c := newBenchClient(b, Options{})
	l := c.conn.(*memLink)
	const rounds = 4096
	frames := make([][][]byte, rounds)
	for i := range frames {
		for id, s := range l.signers {
			rep := pbft.Reply{View: 1, Replica: pbft.NodeID(id + 1), Client: "A", Timestamp: uint64(i + 1),
				Result: l.result, Seq: pbft.Seq(i + 1)}
			s.SignReply(&rep)
			f, err := wire.EncodeReply(&rep)
			if err != nil {
				b.Fatal(err)
			}
			frames[i] = append(frames[i], f)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		t := uint64(i%rounds + 1)
		openCall(c, t)
		for id, f := range frames[t-1] {
			c.onReply(pbft.NodeID(id+1), f)
		}
		if c.end() == nil {
			b.Fatal("no quorum")
		}
		i++
	}
}

// openCall makes an ordered call with timestamp t outstanding without sending it.
func openCall(c *Client, t uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.call.reset(t, false, c.f+1, pbft.Digest{})
	c.open = true
}
