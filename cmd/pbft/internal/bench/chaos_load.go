package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bftbank/pbft/client"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// The chaos workload. Client i owns two accounts that no other client touches, A = account 2i
// and B = account 2i+1, and sends, in closed loop, DepositChecking(A, v) or
// SendPayment(A, B, v) with v uniform in 1..100, half and half. Each request ends
// acknowledged (f+1 matching replies: its result and the slot that executed it) or unknown
// (no quorum before --op-timeout: it may or may not have executed). Since the accounts are
// the client's alone, the final balances of A and B follow from its own history: see check in
// chaos_check.go.

// opOutcome is how a chaos request ended.
type opOutcome uint8

const (
	opAckedOK     opOutcome = iota // acknowledged, the transaction succeeded
	opAckedFailed                  // acknowledged, the transaction failed (no effect)
	opUnknown                      // no acknowledgement: executed at most once, or never
)

// chaosOp is one request of a chaos client and how it ended.
type chaosOp struct {
	Kind    smallbank.OpKind // OpDepositChecking or OpSendPayment
	Amount  int64
	Outcome opOutcome
	Seq     pbft.Seq  // the slot that executed it, when acknowledged
	End     time.Time // when the call returned
}

// clientLedger is a chaos client's accounts and the history of its requests, in order.
type clientLedger struct {
	Client string
	A, B   string
	Ops    []chaosOp
}

// chaosClient is one closed-loop client of the chaos workload; its ledger is written by its
// goroutine only, and read once the load has stopped.
type chaosClient struct {
	cl     *client.Client
	rng    *rand.Rand
	ledger clientLedger
}

// chaosLoad runs the chaos clients.
type chaosLoad struct {
	start   time.Time
	clients []*chaosClient
	stopped atomic.Bool
	wg      sync.WaitGroup
}

// Sealing: how often a client tries its final zero deposit.
const sealAttempts = 5

// startChaosLoad starts one goroutine per terminal; terminal i is client ci and owns accounts
// 2i and 2i+1.
func startChaosLoad(ctx context.Context, terms []*terminal, seed uint64) *chaosLoad {
	l := &chaosLoad{start: time.Now()}
	for i, t := range terms {
		cc := &chaosClient{cl: t.cl, rng: rand.New(rand.NewPCG(seed, uint64(i)+0xc4a05)),
			ledger: clientLedger{Client: clientName(i), A: smallbank.AccountName(2 * i), B: smallbank.AccountName(2*i + 1)}}
		l.clients = append(l.clients, cc)
		l.wg.Go(func() {
			for !l.stopped.Load() && ctx.Err() == nil {
				cc.issue(ctx, cc.next())
			}
		})
	}
	return l
}

// stop ends the load once every client's outstanding request has ended.
func (l *chaosLoad) stop() {
	l.stopped.Store(true)
	l.wg.Wait()
}

// next draws the client's next operation.
func (cc *chaosClient) next() smallbank.Op {
	v := int64(minAmount + cc.rng.IntN(maxAmount-minAmount+1))
	if cc.rng.IntN(2) == 0 {
		return smallbank.Op{Kind: smallbank.OpDepositChecking, Account: cc.ledger.A, Amount: v}
	}
	return smallbank.Op{Kind: smallbank.OpSendPayment, Account: cc.ledger.A, Dest: cc.ledger.B, Amount: v}
}

// issue submits op and appends its outcome to the ledger; it reports whether it was
// acknowledged.
func (cc *chaosClient) issue(ctx context.Context, op smallbank.Op) bool {
	body, err := smallbank.EncodeOp(op)
	if err != nil {
		panic(fmt.Sprintf("bench: chaos operation %v does not encode: %v", op, err))
	}
	rec := chaosOp{Kind: op.Kind, Amount: op.Amount, Outcome: opUnknown}
	out, err := cc.cl.Submit(ctx, body)
	rec.End = time.Now()
	if err == nil {
		res, derr := smallbank.DecodeResult(out.Result)
		switch {
		case derr != nil:
			// A quorum agreed on something that is not a result: keep it unknown, so the
			// check does not assume what it did.
		case res.OK:
			rec.Outcome, rec.Seq = opAckedOK, out.Seq
		default:
			rec.Outcome, rec.Seq = opAckedFailed, out.Seq
		}
	}
	cc.ledger.Ops = append(cc.ledger.Ops, rec)
	return rec.Outcome != opUnknown
}

// seal has every client deposit 0 into its account A until that is acknowledged (at most
// sealAttempts tries): the replicas execute a client's requests in timestamp order and never
// one below the last executed, so once the seal executed no earlier unknown request of the
// client can execute any more, and the final balances are final. It returns how many clients
// sealed.
func (l *chaosLoad) seal(ctx context.Context) int {
	var sealed atomic.Int64
	var wg sync.WaitGroup
	for _, cc := range l.clients {
		wg.Go(func() {
			for range sealAttempts {
				if ctx.Err() != nil {
					return
				}
				if cc.issue(ctx, smallbank.Op{Kind: smallbank.OpDepositChecking, Account: cc.ledger.A}) {
					sealed.Add(1)
					return
				}
			}
		})
	}
	wg.Wait()
	return int(sealed.Load())
}

// ledgers returns the clients' histories (after stop and seal).
func (l *chaosLoad) ledgers() []clientLedger {
	out := make([]clientLedger, len(l.clients))
	for i, cc := range l.clients {
		out[i] = cc.ledger
	}
	return out
}
