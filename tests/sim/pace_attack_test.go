package sim

import (
	"testing"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// The attacker's side of the timers' adaptation (docs/protocol.md, "Timer adaptation", L6): a
// faulty leader slows its slots as much as the backups' request timers let it, so that they
// learn a pace up to maxPaceScale times the configured base, and then censors one client. The
// cap must bound how long the client's request waits.

// paceScaleCap is maxPaceScale of package pbft: the learned base is at most this many times
// ViewChangeTicks.
const paceScaleCap = 8

// paceAttacker is a faulty replica that runs the honest core and sends every message, but
// holds some back for as many ticks as hold says (its own copies are local and never held).
type paceAttacker struct {
	byzantine.Honest
	hold func(to pbft.NodeID, m pbft.Message) int
}

// Outbound sends what the core asked, held back by hold.
func (p paceAttacker) Outbound(self pbft.NodeID, n int, env pbft.Envelope) []byzantine.Out {
	outs := byzantine.Expand(n, env)
	for i := range outs {
		if outs[i].To != self {
			outs[i].DelayTicks = p.hold(outs[i].To, outs[i].Msg)
		}
	}
	return outs
}

// minTimerBase is the smallest learned timer base among ids: the most vigilant replica, whose
// request timer a slow leader must stay under.
func minTimerBase(s *Sim, ids []pbft.NodeID) int {
	b := s.Replica(ids[0]).TimerBase()
	for _, id := range ids[1:] {
		b = min(b, s.Replica(id).TimerBase())
	}
	return b
}

// keepBusy gives every client but the first n more requests: the traffic a censoring leader
// keeps ordering.
func keepBusy(s *Sim, n int) {
	for _, c := range s.clients[1:] {
		c.budget += n
		if c.req == nil {
			c.next()
		}
	}
}

// censorRun runs the attack with the faulty leaders of views 1, 2, ... (at most f of them, in
// view order) and returns the simulator and the configured ViewChangeTicks. Each faulty
// leader delays the certificates that commit its slots, and the faulty replicas delay their
// NEW-VIEWs, by 3/5 of the most vigilant honest replica's current timer base: as late as
// the backups' timers allow, so that every slot teaches them a slower pace. Once every
// honest replica's base reached the cap, client c00 issues one transfer that every faulty
// leader ignores (from the client and from the backups that forward it) while it keeps
// ordering the other clients' requests.
func censorRun(t *testing.T, seed int64, faulty []pbft.NodeID) (*Sim, uint64) {
	t.Helper()
	s := newSim(t, Options{Seed: seed, Clients: 10, Net: hostile, Configure: vcTimers})
	honest := except(7, faulty...)
	for _, id := range faulty {
		s.Behaviors[id] = paceAttacker{hold: func(_ pbft.NodeID, m pbft.Message) int {
			switch m := m.(type) {
			case *pbft.Cert:
				if m.Type != pbft.PrepareCert {
					return minTimerBase(s, honest) * 3 / 5
				}
			case *pbft.NewView:
				return minTimerBase(s, honest) * 3 / 5
			}
			return 0
		}}
	}
	base := s.Replica(honest[0]).TimerBase()
	keepBusy(s, 200)
	err := s.RunUntil(func() bool { return minTimerBase(s, honest) >= paceScaleCap*base }, 40_000)
	if err != nil {
		t.Fatalf("the slow leader did not raise every honest replica's timer base to %d: %v", paceScaleCap*base, err)
	}
	if v := s.Replica(honest[0]).View(); v != 1 {
		t.Fatalf("the slow leader lost its view (now %d) while raising the pace: the attack was not within the timers", v)
	}
	t.Logf("tick %d: every honest timer base at the cap %d; %d requests completed", s.Now(), paceScaleCap*base, s.Completed())

	censored := pbft.ClientID(AccountName(0))
	isFaulty := func(id pbft.NodeID) bool {
		for _, f := range faulty {
			if f == id {
				return true
			}
		}
		return false
	}
	s.Ignore = func(to pbft.NodeID, req *pbft.Request) bool { return isFaulty(to) && req.Client == censored }
	s.Intercept = func(_, to pbft.NodeID, m pbft.Message) (uint64, bool) {
		fw, ok := m.(*pbft.ForwardRequest)
		return 0, !ok || !isFaulty(to) || fw.Req.Client != censored
	}
	keepBusy(s, 20)
	op := smallbank.Op{Kind: smallbank.OpSendPayment, Account: string(censored), Dest: AccountName(1), Amount: 1}
	if err := s.Script([]smallbank.Op{op}); err != nil {
		t.Fatal(err)
	}
	return s, uint64(base)
}

// finishCensorRun runs until the censored transfer completed, within bound ticks of its
// issue, then until every honest replica converged with the clients idle, and checks the
// clients' history.
func finishCensorRun(t *testing.T, s *Sim, honest []pbft.NodeID, bound uint64) ScriptOutcome {
	t.Helper()
	if err := s.Step(); err != nil { // issues the scripted transfer
		t.Fatal(err)
	}
	issued := s.ScriptOutcomes()[0].Issued
	if issued == 0 {
		t.Fatal("the censored transfer was not issued")
	}
	if err := s.RunUntil(s.ScriptDone, bound-(s.Now()-issued)); err != nil {
		t.Fatalf("the censored request did not execute within %d ticks of its issue: %v", bound, err)
	}
	out := s.ScriptOutcomes()[0]
	if !out.Result.OK {
		t.Errorf("censored transfer: %+v", out.Result)
	}
	if err := s.RunUntil(func() bool { return s.Idle() && s.Converged(honest...) }, 100_000); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckHistory(historyDir()); err != nil {
		t.Fatal(err)
	}
	return out
}

// A faulty leader raises the backups' timer base to the cap (8 x ViewChangeTicks) by slowing
// its slots just under their request timers, then ignores client c00. The client re-sends to
// every replica after its timeout; the backups' request timers then run at most the capped
// base before they move to view 2, whose honest leader orders the transfer. So the transfer
// completes within ClientTimeout + 8 x ViewChangeTicks, plus one configured base for the view
// change, the network and the slot (docs/protocol.md, "Bounds", L6); agreement, exactly-once
// and money are checked at every step, and linearizability at the end.
func TestPaceAttackCensorshipBoundedByCap(t *testing.T) {
	for seed := int64(71); seed <= 73; seed++ {
		s, vc := censorRun(t, seed, []pbft.NodeID{1})
		bound := s.opts.ClientTimeout + paceScaleCap*vc + vc
		out := finishCensorRun(t, s, except(7, 1), bound)
		held := out.DoneAt - out.Issued
		t.Logf("seed %d: censored transfer issued at %d, done at %d in slot %d: held %d ticks (bound %d)", seed, out.Issued, out.DoneAt, out.Seq, held, bound)
		for _, id := range except(7, 1) {
			if v := s.Replica(id).View(); v < 2 {
				t.Errorf("seed %d: n%d still in view %d: the censoring leader kept its view", seed, id, v)
			}
		}
	}
}

// Two faulty leaders in a row (views 1 and 2, the most f = 2 allow): the first raises the pace
// to the cap and censors c00; the second holds its NEW-VIEW back as long as the honest
// NEW-VIEW timers allow (3/5 of the capped base), then censors c00 too. Each faulty view costs
// at most the capped base for its NEW-VIEW timer and the capped base for the request timer
// (the timers double only over consecutive view changes without progress, and the second
// leader orders others' requests): the transfer completes in view 3 within ClientTimeout +
// 3 x 8 x ViewChangeTicks, plus two configured bases for the two view changes.
func TestPaceAttackTwoFaultyLeadersBoundedByCap(t *testing.T) {
	s, vc := censorRun(t, 74, []pbft.NodeID{1, 2})
	bound := s.opts.ClientTimeout + 3*paceScaleCap*vc + 2*vc
	out := finishCensorRun(t, s, except(7, 1, 2), bound)
	t.Logf("censored transfer issued at %d, done at %d in slot %d: held %d ticks (bound %d)", out.Issued, out.DoneAt, out.Seq, out.DoneAt-out.Issued, bound)
	for _, id := range except(7, 1, 2) {
		if v := s.Replica(id).View(); v < 3 {
			t.Errorf("n%d in view %d: a censoring leader kept its view", id, v)
		}
	}
}
