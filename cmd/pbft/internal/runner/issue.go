package runner

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/scenario"
	"github.com/bftbank/pbft/smallbank"
)

// Outcomes of an operation (README, "Scenario file grammar").
const (
	outcomeCommitted    = "committed"
	outcomeNotCommitted = "not-committed"
)

// opResult is what happened to one operation.
type opResult struct {
	plan      opPlan
	line      int
	outcome   string
	result    smallbank.Result // valid when committed
	seq       uint64           // 0 for a read answered from state
	view      uint64
	readOnly  bool // answered by 2f+1 replicas from their state
	latency   time.Duration
	errorText string // why it did not commit
}

// issueAll runs the set's transactions in conflict order: each starts once the earlier ones it
// depends on ended, committed or not.
func (s *setRun) issueAll(ctx context.Context) error {
	access := make([]scenario.Access, len(s.plans))
	for i, p := range s.plans {
		access[i] = p.access()
	}
	sched, err := scenario.NewScheduler(scenario.Deps(access))
	if err != nil {
		return err
	}
	s.results = make([][]opResult, len(s.plans))
	s.issued = time.Now()
	done := make(chan int)
	running := 0
	for !sched.Finished() {
		for _, i := range sched.Ready() {
			running++
			go func() {
				s.results[i] = s.issueTxn(ctx, s.plans[i])
				done <- i
			}()
		}
		select {
		case i := <-done:
			running--
			if err := sched.Done(i); err != nil {
				return err
			}
		case <-ctx.Done():
			for ; running > 0; running-- {
				<-done
			}
			return ctx.Err()
		}
	}
	return nil
}

// issueTxn issues a transaction's operations in order.
func (s *setRun) issueTxn(ctx context.Context, p txnPlan) []opResult {
	out := make([]opResult, len(p.ops))
	for k, op := range p.ops {
		out[k] = s.issueOp(ctx, op)
		out[k].line = p.txn.Line
	}
	return out
}

// issueOp sends one operation through its client, bounded by the operation deadline.
func (s *setRun) issueOp(ctx context.Context, op opPlan) opResult {
	res := opResult{plan: op, outcome: outcomeNotCommitted}
	c, err := s.client(op.client)
	if err != nil {
		res.errorText = err.Error()
		return res
	}
	opCtx, cancel := context.WithTimeout(ctx, s.opDeadline())
	defer cancel()
	submit := c.Submit
	if op.op.ReadOnly() {
		submit = c.Read
	}
	start := time.Now()
	h := s.hist.begin(op.client, op.op, start.Sub(s.started))
	out, err := submit(opCtx, op.encoded)
	if err != nil {
		res.latency = time.Since(start)
		res.errorText = "no quorum before the deadline"
		if !errors.Is(err, context.DeadlineExceeded) {
			res.errorText = err.Error()
		}
		return res
	}
	result, err := smallbank.DecodeResult(out.Result)
	if err != nil {
		res.errorText = "undecodable result: " + err.Error()
		return res
	}
	s.hist.end(h, time.Since(s.started), result)
	res.outcome, res.result, res.seq, res.view = outcomeCommitted, result, uint64(out.Seq), uint64(out.View)
	res.readOnly, res.latency = out.ReadOnly, out.Latency
	return res
}

// opDeadline bounds one operation. With fewer than 2f+1 live replicas that can vote no
// certificate can form, so an operation gives up after one client timer (its requests still
// reach the live replicas, whose logs show them) instead of the full deadline.
func (s *setRun) opDeadline() time.Duration {
	if s.voters() < 2*scenarioF+1 {
		return min(s.timing.Txn, s.cfg.Timers.Client+500*time.Millisecond)
	}
	return s.timing.Txn
}

// voters counts the live replicas whose shares can count towards a certificate. A Byzantine
// replica cannot when its attacks make every share invalid (sign), withhold them (crash: no
// PREPARE, hence no COMMIT, and no read replies) or send nothing to any other live replica
// (dark); README "Scenario file grammar" and docs/design.md, "Byzantine module".
func (s *setRun) voters() int {
	n := 0
	for _, id := range s.set.Live {
		if !s.set.IsByzantine(id) || !s.silenced(id) {
			n++
		}
	}
	return n
}

// silenced reports whether the set's attacks keep Byzantine replica id from voting.
func (s *setRun) silenced(id int) bool {
	for _, a := range s.set.Attacks {
		switch a.Name {
		case byzantine.AttackSign, byzantine.AttackCrash:
			return true
		case byzantine.AttackDark:
			if s.darkToOthers(id, a.Targets) {
				return true
			}
		}
	}
	return false
}

// darkToOthers reports whether targets name every live replica but id.
func (s *setRun) darkToOthers(id int, targets []pbft.NodeID) bool {
	for _, other := range s.set.Live {
		if other != id && !slices.Contains(targets, pbft.NodeID(other)) {
			return false
		}
	}
	return true
}

// flatResults lists the operations' results in file order.
func (s *setRun) flatResults() []opResult {
	var out []opResult
	for _, rs := range s.results {
		out = append(out, rs...)
	}
	return out
}
