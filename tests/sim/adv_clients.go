package sim

import (
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// byzClient is a Byzantine client under the adversary: it signs with its own key what a
// closed-loop client never sends: two different operations under one timestamp (to different
// replicas), an old timestamp with a new operation, an oversized operation, or a request whose
// signature it garbled. Its requests must neither break exactly-once nor make an honest
// client's requests wait forever.
type byzClient struct {
	a    *Adversary
	c    *simClient
	rate int // requests per 1000 ticks
}

// AddByzantineClient turns the simulator's client idx into a Byzantine client the adversary
// drives; it stops issuing requests of its own (and counts as idle).
func (a *Adversary) AddByzantineClient(idx int) {
	c := a.s.clients[idx]
	c.budget, c.req = 0, nil
	a.byz = &byzClient{a: a, c: c, rate: 5 + a.rng.Intn(20)}
	a.logf("client %s is Byzantine (%d requests per 1000 ticks)", c.id, a.byz.rate)
}

func (b *byzClient) tick() {
	a := b.a
	if a.rng.Intn(1000) >= b.rate {
		return
	}
	c := b.c
	switch a.rng.Intn(4) {
	case 0: // conflicting requests under one timestamp
		c.t++
		r1, r2 := b.request(c.t, b.payment()), b.request(c.t, b.payment())
		for _, to := range a.honest() {
			if a.rng.Intn(2) == 0 {
				a.s.sendRequest(c, to, r1)
			} else {
				a.s.sendRequest(c, to, r2)
			}
		}
	case 1: // an old timestamp, a new operation
		b.toSome(b.request(max(c.t, 1)-uint64(a.rng.Intn(2)), b.payment()))
	case 2: // an oversized operation
		c.t++
		op := make([]byte, 4096+a.rng.Intn(16384))
		a.rng.Read(op)
		b.toSome(b.request(c.t, op))
	default: // a garbled signature
		c.t++
		req := b.request(c.t, b.payment())
		req.Sig = flipped(req.Sig)
		b.toSome(req)
	}
}

func (b *byzClient) request(t uint64, op []byte) *pbft.Request {
	if dec, err := smallbank.DecodeOp(op); err == nil {
		// It may execute at any time from now on, or never: an operation without a response
		// in the history, so that the honest clients' histories account for it.
		b.a.s.hist.begin(b.c, dec, b.a.s.Now())
	}
	req := &pbft.Request{Client: b.c.id, Timestamp: t, Op: op}
	b.a.s.opts.Auth.SignRequest(req)
	return req
}

// payment is a small transfer from the Byzantine client's own account.
func (b *byzClient) payment() []byte {
	a := b.a
	to := AccountName((b.c.idx + 1 + a.rng.Intn(len(a.s.clients)-1)) % len(a.s.clients))
	op, err := smallbank.EncodeOp(smallbank.Op{Kind: smallbank.OpSendPayment, Account: string(b.c.id),
		Dest: to, Amount: int64(1 + a.rng.Intn(3))})
	if err != nil {
		a.err = err
	}
	return op
}

// toSome sends a request to a random nonempty set of replicas.
func (b *byzClient) toSome(req *pbft.Request) {
	a := b.a
	for i, to := range a.shuffled(a.honest()) {
		if i == 0 || a.rng.Intn(2) == 0 {
			a.s.sendRequest(b.c, to, req)
		}
	}
}
