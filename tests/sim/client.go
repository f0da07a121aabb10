package sim

import (
	"bytes"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/quorum"
	"github.com/bftbank/pbft/smallbank"
)

// simClient is a closed-loop client (docs/protocol.md, "Clients"): one outstanding request, a
// retransmission timer that re-sends to every replica, and 2f+1 matching replies to accept a result
// (Options.OrderedQuorum).
type simClient struct {
	s         *Sim
	idx       int
	id        pbft.ClientID
	t         uint64
	req       *pbft.Request
	sentAt    uint64
	view      pbft.View
	replies   map[pbft.NodeID][]byte
	views     map[pbft.NodeID]pbft.View // the view each replica named in its last reply
	budget    int                       // requests still to issue
	completed int
	results   []smallbank.Result
	op        smallbank.Op // the operation of req
	scripted  bool         // req runs script transaction scriptIdx
	scriptIdx int
	hist      int // 1 + the history index of the operation outstanding, 0 if none
}

func newSimClient(s *Sim, idx int) *simClient {
	return &simClient{s: s, idx: idx, id: pbft.ClientID(AccountName(idx)), view: 1, views: map[pbft.NodeID]pbft.View{}}
}

func (s *Sim) clientByID(id pbft.ClientID) *simClient {
	for _, c := range s.clients {
		if c.id == id {
			return c
		}
	}
	return nil
}

// Issue gives every client a budget of n more requests and starts the idle ones.
func (s *Sim) Issue(n int) {
	for _, c := range s.clients {
		c.budget += n
		if c.req == nil {
			c.next()
		}
	}
}

// Completed is the number of requests the clients have seen complete.
func (s *Sim) Completed() int {
	n := 0
	for _, c := range s.clients {
		n += c.completed
	}
	return n
}

// Idle reports whether no client has a request outstanding or budgeted.
func (s *Sim) Idle() bool {
	for _, c := range s.clients {
		if c.req != nil || c.budget > 0 {
			return false
		}
	}
	return true
}

func (c *simClient) next() {
	if c.budget == 0 {
		c.req = nil
		return
	}
	c.budget--
	if c.s.opts.Reads > 0 && c.s.rng.Float64() < c.s.opts.Reads {
		c.send(smallbank.Op{Kind: smallbank.OpBalance, Account: AccountName(c.s.rng.Intn(len(c.s.clients)))}, true)
		return
	}
	to := (c.idx + 1 + c.s.rng.Intn(len(c.s.clients)-1)) % len(c.s.clients)
	c.send(smallbank.Op{Kind: smallbank.OpSendPayment, Account: string(c.id), Dest: AccountName(to),
		Amount: int64(1 + c.s.rng.Intn(5))}, false)
}

// send issues op as the client's next request: a read to every replica, or an ordered request
// to the leader the client believes in.
func (c *simClient) send(op smallbank.Op, readOnly bool) {
	enc, err := smallbank.EncodeOp(op)
	if err != nil {
		c.s.inv.err = err
		return
	}
	c.t++
	req := &pbft.Request{Client: c.id, Timestamp: c.t, Op: enc, ReadOnly: readOnly}
	c.s.opts.Auth.SignRequest(req)
	if c.hist == 0 { // a new operation, not a read falling back to ordering
		c.hist = 1 + c.s.hist.begin(c, op, c.s.now)
	}
	c.op, c.req, c.sentAt, c.replies = op, req, c.s.now, map[pbft.NodeID][]byte{}
	if readOnly {
		c.sendAll()
		return
	}
	leader := pbft.LeaderOf(c.view, c.s.N)
	c.s.sendRequest(c, leader, req)
}

func (c *simClient) sendAll() {
	for to := pbft.NodeID(1); int(to) <= c.s.N; to++ {
		c.s.sendRequest(c, to, c.req)
	}
}

func (c *simClient) tick() {
	if c.req == nil || c.s.now-c.sentAt < c.s.opts.ClientTimeout {
		return
	}
	if c.req.ReadOnly {
		c.send(c.op, false) // no 2f+1 matching answers in time: order the read (docs/protocol.md, "Clients")
		return
	}
	c.sentAt = c.s.now
	c.sendAll()
}

func (c *simClient) onReply(from pbft.NodeID, rep *pbft.Reply) {
	if c.req == nil || rep.Replica != from || rep.Client != c.id || rep.Timestamp != c.t ||
		rep.ReadOnly != c.req.ReadOnly || c.s.opts.Auth.VerifyReply(rep) != nil {
		return
	}
	c.replies[from] = rep.Result
	c.views[from] = rep.View
	views := make([]pbft.View, 0, len(c.views))
	for _, v := range c.views {
		views = append(views, v)
	}
	if v, ok := quorum.KthHighest(views, c.s.opts.F+1); ok && v > c.view {
		c.view = v // a view that f+1 replicas (one honest) reached
	}
	matching := 0
	for _, res := range c.replies {
		if bytes.Equal(res, rep.Result) {
			matching++
		}
	}
	need := c.s.orderedQuorum()
	if c.req.ReadOnly {
		need = 2*c.s.opts.F + 1
	}
	if matching < need {
		return
	}
	res, err := smallbank.DecodeResult(rep.Result)
	if err != nil {
		c.s.inv.err = err
		return
	}
	c.results = append(c.results, res)
	c.completed++
	c.s.hist.end(c.hist-1, c.s.now, res)
	c.hist = 0
	if c.scripted {
		c.scripted = false
		c.s.script.complete(c.scriptIdx, res, rep.Seq, c.req.ReadOnly, c.s.now)
		c.req = nil
		return
	}
	c.next()
}
