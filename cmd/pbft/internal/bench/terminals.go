package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/bftbank/pbft/client"
	"github.com/bftbank/pbft/cmd/pbft/internal/workload"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/transport"
	"github.com/bftbank/pbft/smallbank"
)

// terminal is one closed-loop benchmark client and its workload generator.
type terminal struct {
	cl   *client.Client
	gen  *workload.Generator
	idx  int         // the terminal's number, its client in the history
	hist *historyLog // nil: not recorded
}

// newTerminals makes n clients of the cluster, each with its own generator. All of them
// share one connection per replica (client.Network), as the clients of one application
// server would; closeAll releases the clients and the connections. A request without a
// quorum within o.OpTimeout ends with an error (client.Options.CallTimeout, which costs
// nothing per request where a context.WithTimeout would).
func newTerminals(c *benchCluster, o *Options, n int) (terms []*terminal, closeAll func(), err error) {
	accts := workload.Accounts{Count: c.accounts(), Hotspot: o.HotspotAccounts, HotProb: o.HotspotProb}
	if accts.Hotspot > accts.Count {
		return nil, nil, fmt.Errorf("--hotspot-accounts %d exceeds the %d accounts", accts.Hotspot, accts.Count)
	}
	network, err := client.NewNetwork(c.cfg, "bench", transport.Tuning{}, zerolog.Nop())
	if err != nil {
		return nil, nil, err
	}
	closeAll = func() {
		closeTerminals(terms)
		network.Close()
	}
	terms = make([]*terminal, 0, n)
	for i := range n {
		gen, err := workload.New(o.Seed*1_000_003+uint64(i)+1, accts, workload.Amounts{Min: minAmount, Max: maxAmount})
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		cl, err := client.New(c.cfg, pbft.ClientID(clientName(i)), c.clientKeys[i], c.pub, client.Options{Network: network, CallTimeout: o.OpTimeout})
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		terms = append(terms, &terminal{cl: cl, gen: gen, idx: i})
	}
	return terms, closeAll, nil
}

func closeTerminals(terms []*terminal) {
	for _, t := range terms {
		t.cl.Close()
	}
}

// drive runs the terminals in closed loop until stop is closed, then lets each finish its
// outstanding request (bounded by the request timeout of newTerminals) and returns.
func drive(ctx context.Context, terms []*terminal, rec *recorder, stop <-chan struct{}) {
	var wg sync.WaitGroup
	var stopped atomic.Bool
	go func() {
		<-stop
		stopped.Store(true)
	}()
	for _, t := range terms {
		wg.Go(func() {
			for !stopped.Load() && ctx.Err() == nil {
				t.issue(ctx, rec)
			}
		})
	}
	wg.Wait()
}

// issue sends one transaction and records its outcome.
func (t *terminal) issue(ctx context.Context, rec *recorder) {
	op := t.gen.Next()
	body, err := smallbank.EncodeOp(op)
	if err != nil {
		panic(fmt.Sprintf("bench: generated operation %v does not encode: %v", op, err))
	}
	start := time.Now()
	slot := t.hist.begin(t.idx, op, start)
	var out client.Outcome
	if op.ReadOnly() {
		out, err = t.cl.Read(ctx, body)
	} else {
		out, err = t.cl.Submit(ctx, body)
	}
	end := time.Now()
	if err != nil {
		if !errors.Is(err, client.ErrClosed) {
			rec.record(op.Kind, start, end, outcomeError, smallbank.Result{}, false)
		}
		return
	}
	res, derr := smallbank.DecodeResult(out.Result)
	if derr == nil {
		t.hist.end(slot, end, res)
	}
	kind := outcomeOK
	switch {
	case derr != nil:
		kind = outcomeError // a quorum agreed on something that is not a result: count it
	case !res.OK:
		kind = outcomeFailed
	}
	rec.record(op.Kind, start, end, kind, res, op.ReadOnly() && !out.ReadOnly)
}
