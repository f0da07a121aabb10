package client

import (
	"github.com/rs/zerolog"
	"net"
	"sync"
	"testing"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/transport"
	"github.com/bftbank/pbft/pbft/wire"
	"github.com/bftbank/pbft/smallbank"
)

// fakeMode is how a fake replica misbehaves.
type fakeMode int

const (
	honest  fakeMode = iota
	silent           // never answers (a crashed replica)
	lying            // answers with a wrong result, correctly signed
	badSig           // answers correctly with a broken signature
	bigView          // answers correctly but claims view 1000
	noReads          // answers ordered requests only
	// abaReads answers a read with the account's balance now but at version 0, as a replica
	// still at the account's opening state would if the balance has come back to its opening
	// value (docs/protocol.md, "Linearizability", the ABA case).
	abaReads
	otherOp // answers correctly but names another operation (Reply.Op), correctly signed
)

// fakeCluster stands in for a PBFT cluster, for testing the client alone: it orders every
// request once, when the first non-silent replica receives it, on one shared bank, and has
// every replica reply. When the leader is silent, a backup that receives a request directly
// from the client moves the cluster to the next view, as PBFT's view change would.
type fakeCluster struct {
	t       *testing.T
	cfg     *cluster.Config
	keys    *crypto.ClusterKeys
	modes   []fakeMode
	signers []*auth.Authenticator
	trs     []*transport.Transport

	mu        sync.Mutex
	bank      *smallbank.Bank
	view      pbft.View
	seq       pbft.Seq
	last      map[pbft.ClientID]*pbft.Reply // exactly-once table
	receivers map[uint64][]pbft.NodeID      // timestamp -> replicas that got the request
	reads     int                           // read-only requests answered
}

// newFakeCluster starts 7 fake replicas (f = 2) on loopback ports with the given modes
// (missing modes are honest) and deals keys for clients A and B.
func newFakeCluster(t *testing.T, modes ...fakeMode) *fakeCluster {
	t.Helper()
	keys, err := crypto.DealCluster(crypto.SchemeBLS12381, 7, 2, []byte("client-test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.AddClients([]byte("client-test"), "A", "B"); err != nil {
		t.Fatal(err)
	}
	fc := &fakeCluster{t: t, cfg: cluster.Default(2, 1), keys: keys, modes: make([]fakeMode, 7),
		bank: smallbank.NewBank(), view: 1, last: map[pbft.ClientID]*pbft.Reply{}, receivers: map[uint64][]pbft.NodeID{}}
	copy(fc.modes, modes)
	for _, name := range []string{"A", "B"} {
		if err := fc.bank.Open(name, 10, 0); err != nil {
			t.Fatal(err)
		}
	}
	lns := make([]net.Listener, 7)
	for i := range lns {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns[i] = ln
		fc.cfg.Replicas[i].Addr = ln.Addr().String()
	}
	for i := range lns {
		fc.start(pbft.NodeID(i+1), lns[i])
	}
	return fc
}

func (fc *fakeCluster) start(id pbft.NodeID, ln net.Listener) {
	tr, err := transport.New(transport.Config{Self: id, Addrs: fc.cfg.Addrs(), Listener: ln,
		Keys: transport.ClusterKeys(fc.keys.Public, fc.keys.Replicas[id-1].Ed25519)})
	if err != nil {
		fc.t.Fatal(err)
	}
	fc.signers = append(fc.signers, auth.New(fc.keys.Public, fc.keys.Replicas[id-1]))
	fc.trs = append(fc.trs, tr)
	tr.Start(func(pbft.NodeID, []byte) {}, func(c pbft.ClientID, frame []byte) { fc.onRequest(id, c, frame) })
	fc.t.Cleanup(func() { tr.Close() })
}

// newClient returns a client of the fake cluster with a short timer.
func (fc *fakeCluster) newClient(name string, opts Options) *Client {
	fc.t.Helper()
	if opts.Retransmit == 0 {
		opts.Retransmit = 40e6 // 40 ms
	}
	c, err := New(fc.cfg, pbft.ClientID(name), fc.keys.Clients[name], fc.keys.Public, opts)
	if err != nil {
		fc.t.Fatal(err)
	}
	fc.t.Cleanup(func() { c.Close() })
	return c
}

// network returns a Network to the fake cluster, closed at the end of the test.
func (fc *fakeCluster) network() *Network {
	fc.t.Helper()
	n, err := NewNetwork(fc.cfg, "test-process", transport.Tuning{}, zerolog.Nop())
	if err != nil {
		fc.t.Fatal(err)
	}
	fc.t.Cleanup(func() { n.Close() })
	return n
}

func (fc *fakeCluster) leader() pbft.NodeID { return pbft.LeaderOf(fc.view, 7) }

func (fc *fakeCluster) onRequest(at pbft.NodeID, c pbft.ClientID, frame []byte) {
	f, err := wire.DecodeFrame(frame)
	if err != nil || f.Client != string(c) {
		fc.t.Errorf("n%d: bad client frame: %v", at, err)
		return
	}
	req, err := wire.DecodeRequestFrame(frame)
	if err != nil || req.Client != c || fc.signers[at-1].VerifyRequest(req) != nil {
		fc.t.Errorf("n%d: bad request from %s: %v", at, c, err)
		return
	}
	if fc.modeOf(at) == silent {
		fc.mu.Lock()
		fc.receivers[req.Timestamp] = append(fc.receivers[req.Timestamp], at)
		fc.mu.Unlock()
		return
	}
	if req.ReadOnly {
		fc.answerRead(at, req)
		return
	}
	fc.order(at, req)
}

func (fc *fakeCluster) answerRead(at pbft.NodeID, req *pbft.Request) {
	if fc.modeOf(at) == noReads {
		return
	}
	fc.mu.Lock()
	fc.reads++
	rep := pbft.Reply{View: fc.view, Replica: at, Client: req.Client, Timestamp: req.Timestamp,
		ReadOnly: true, Result: fc.bank.Query(req.Op), Op: pbft.OpDigest(req.Op)}
	if fc.modes[at-1] == abaReads {
		res, err := smallbank.DecodeResult(rep.Result)
		if err != nil {
			fc.t.Error(err)
		}
		res.Version = 0
		rep.Result = smallbank.EncodeResult(res)
	}
	fc.mu.Unlock()
	fc.send(at, rep)
}

// order executes req once the leader has it, then has every replica reply.
func (fc *fakeCluster) order(at pbft.NodeID, req *pbft.Request) {
	fc.mu.Lock()
	fc.receivers[req.Timestamp] = append(fc.receivers[req.Timestamp], at)
	if fc.modes[fc.leader()-1] == silent && at != fc.leader() {
		fc.view++ // the backups' view change
	}
	last := fc.last[req.Client]
	if last == nil || last.Timestamp < req.Timestamp {
		fc.seq++
		last = &pbft.Reply{Client: req.Client, Timestamp: req.Timestamp, Seq: fc.seq, Result: fc.bank.Execute(req.Client, req.Op),
			Op: pbft.OpDigest(req.Op)}
		fc.last[req.Client] = last
	}
	rep, view := *last, fc.view
	fc.mu.Unlock()
	if last.Timestamp != req.Timestamp {
		return
	}
	for id := pbft.NodeID(1); id <= 7; id++ {
		r := rep
		r.View, r.Replica = view, id
		fc.send(id, r)
	}
}

// send signs rep as replica id and sends it, as id's mode says.
func (fc *fakeCluster) send(id pbft.NodeID, rep pbft.Reply) {
	mode := fc.modeOf(id)
	switch mode {
	case silent:
		return
	case lying:
		rep.Result = smallbank.EncodeResult(smallbank.Result{OK: true, Value: 999})
	case bigView:
		rep.View = 1000
	case otherOp:
		rep.Op = pbft.OpDigest(append([]byte("another "), rep.Op[:]...))
	}
	fc.signers[id-1].SignReply(&rep)
	if mode == badSig {
		rep.Sig[0] ^= 1
	}
	frame, err := wire.EncodeReply(&rep)
	if err != nil {
		fc.t.Error(err)
		return
	}
	fc.trs[id-1].SendClient(rep.Client, frame)
}

func (fc *fakeCluster) modeOf(id pbft.NodeID) fakeMode {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.modes[id-1]
}

func (fc *fakeCluster) setMode(id pbft.NodeID, m fakeMode) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.modes[id-1] = m
}

// lastTimestamp is the timestamp of the client's last executed request.
func (fc *fakeCluster) lastTimestamp(c pbft.ClientID) uint64 {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.last[c].Timestamp
}

// slots is the number of requests executed.
func (fc *fakeCluster) slots() pbft.Seq {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.seq
}

// received lists the replicas that received the ordered request with timestamp t.
func (fc *fakeCluster) received(t uint64) []pbft.NodeID {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return append([]pbft.NodeID(nil), fc.receivers[t]...)
}

func (fc *fakeCluster) balance(name string) int64 {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	v, _ := fc.bank.Balance(name)
	return v
}

// lastTimestampSeen is the highest request timestamp any replica received.
func (fc *fakeCluster) lastTimestampSeen() uint64 {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	var max uint64
	for t := range fc.receivers {
		if t > max {
			max = t
		}
	}
	return max
}
