package sim

import (
	"fmt"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// ScriptOutcome is what the client saw of one scripted transaction.
type ScriptOutcome struct {
	Done     bool
	Result   smallbank.Result
	Seq      pbft.Seq // the slot that executed it; 0 for a read answered from state
	ReadOnly bool     // answered by 2f+1 matching replies from state, without ordering
	Issued   uint64   // tick the client sent it
	DoneAt   uint64   // tick the client accepted the result
}

// script runs a list of transactions as a scenario set does.
type script struct {
	ops    []smallbank.Op
	out    []ScriptOutcome
	issued int // how many transactions were issued
}

// Script queues transactions to run as a scenario file's set does (README, "Scenario file
// grammar"): each one is issued by the client that owns its first account, as soon as every earlier
// transaction that touches one of its accounts has completed (so the final state equals executing
// them one by one, in order); a Balance goes to every replica as a read and falls back to an
// ordered request when it does not get 2f+1 matching answers in time. Accounts are the clients'
// (AccountName).
func (s *Sim) Script(ops []smallbank.Op) error {
	if s.script != nil && !s.ScriptDone() {
		return fmt.Errorf("sim: a script is still running")
	}
	for _, op := range ops {
		if s.clientByID(pbft.ClientID(op.Account)) == nil {
			return fmt.Errorf("sim: no client owns account %q of %s", op.Account, op)
		}
	}
	s.script = &script{ops: ops, out: make([]ScriptOutcome, len(ops))}
	return nil
}

// ScriptDone reports whether every scripted transaction completed.
func (s *Sim) ScriptDone() bool {
	if s.script == nil {
		return true
	}
	for _, o := range s.script.out {
		if !o.Done {
			return false
		}
	}
	return true
}

// ScriptOutcomes are the scripted transactions' outcomes, in script order.
func (s *Sim) ScriptOutcomes() []ScriptOutcome {
	if s.script == nil {
		return nil
	}
	return append([]ScriptOutcome(nil), s.script.out...)
}

// advanceScript issues every transaction whose client is free and whose predecessors on the
// same accounts completed.
func (s *Sim) advanceScript() {
	sc := s.script
	if sc == nil || sc.issued == len(sc.ops) {
		return
	}
	for i, op := range sc.ops {
		if sc.out[i].Issued != 0 || !sc.ready(i) {
			continue
		}
		c := s.clientByID(pbft.ClientID(op.Account))
		if c.req != nil || c.budget > 0 {
			continue
		}
		sc.issued++
		sc.out[i].Issued = s.now
		c.scripted, c.scriptIdx = true, i
		c.send(op, op.ReadOnly())
	}
}

// ready reports whether every earlier transaction touching one of op i's accounts completed.
func (sc *script) ready(i int) bool {
	for j := 0; j < i; j++ {
		if !sc.out[j].Done && touches(sc.ops[j], sc.ops[i]) {
			return false
		}
	}
	return true
}

func touches(a, b smallbank.Op) bool {
	for _, x := range []string{a.Account, a.Dest} {
		if x != "" && (x == b.Account || x == b.Dest) {
			return true
		}
	}
	return false
}

func (sc *script) complete(i int, res smallbank.Result, seq pbft.Seq, readOnly bool, now uint64) {
	o := &sc.out[i]
	o.Done, o.Result, o.Seq, o.ReadOnly, o.DoneAt = true, res, seq, readOnly, now
}
