package node

import (
	"context"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// loop is the protocol loop: the only goroutine that touches the core (and the bank inside
// it). It returns when ctx is done.
func (nd *node) loop(ctx context.Context, calls <-chan controlCall) {
	ticker := time.NewTicker(nd.tick())
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-nd.mail.ready:
			for _, in := range nd.mail.take() {
				nd.handle(in)
				nd.flush()
			}
		case <-ticker.C:
			nd.core.Tick()
			nd.flush()
			nd.tickObserve()
		case call := <-calls:
			call.reply <- nd.serveControl(call.req)
		case <-nd.faults.wake: // nil (never ready) unless faults are allowed
			nd.stayPaused(ctx)
		}
	}
}

// stayPaused stops the loop while a pause fault lasts: no input, tick or control command is
// handled, as if the process were stopped (docs/operations.md). The transport keeps
// receiving into the bounded inbound budget; what exceeds it is dropped and counted.
func (nd *node) stayPaused(ctx context.Context) {
	nd.observe(time.Now()) // what the admin endpoint serves meanwhile
	for {
		d := nd.faults.pausedFor(time.Now())
		if d <= 0 {
			nd.faults.ackPause() // a pause cleared before it began
			return
		}
		nd.faults.ackPause()
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case <-nd.faults.wake: // cleared or changed: look again
			timer.Stop()
		}
	}
}

// handle gives one input to the core.
func (nd *node) handle(in input) {
	if in.budget != nil {
		defer in.budget.give()
	}
	if in.peer != nil {
		defer in.peer.give(in.size)
	}
	if in.client != "" {
		defer nd.shares.give(in.client)
	}
	if in.Req != nil {
		if e := nd.log.Debug(); e.Enabled() {
			e.Msgf("%s v=%d recv REQUEST %s t=%d from client", nd.id, nd.core.View(), in.Req.Client, in.Req.Timestamp)
		}
		nd.metrics.seen(in.Req, in.At)
		nd.core.Propose(*in.Req)
		return
	}
	nd.noteSeen(in)
	if e := nd.log.Debug(); e.Enabled() && in.From != nd.id {
		e.Msg(nd.line("recv", in.Msg, "from "+in.From.String()))
	}
	nd.core.Step(in.From, in.Msg)
}

// noteSeen records the requests a message shows this replica for the first time.
func (nd *node) noteSeen(in input) {
	switch m := in.Msg.(type) {
	case *pbft.PrePrepare:
		for i := range m.Batch {
			nd.metrics.seen(&m.Batch[i], in.At)
		}
	case *pbft.ForwardRequest:
		nd.metrics.seen(&m.Req, in.At)
	}
}

// flush dispatches what the core asks for after an input (see pbft.Ready for the order).
func (nd *node) flush() {
	nd.procs.follow(nd.core.Leader() == nd.id)
	nd.setAwaited(nd.core.Awaited())
	rd := nd.core.TakeReady()
	if rd.Empty() {
		return
	}
	now := time.Now()
	if nd.persist == nil {
		for i := range rd.Messages {
			nd.dispatch(rd.Messages[i], 0)
		}
		nd.replyAll(rd.Replies, now, 0)
	} else {
		nd.dispatchDurable(&rd, now)
	}
	for i := range rd.CombineJobs {
		nd.combine(rd.CombineJobs[i])
	}
	for _, ex := range rd.Executed {
		nd.metrics.executedSlot(now)
		if e := nd.log.Debug(); e.Enabled() {
			e.Msgf("%s v=%d s=%d executed %d reqs d=%s fast=%v", nd.id, nd.core.View(), ex.Seq, ex.Requests, ex.Digest, ex.Fast)
		}
	}
	nd.noteView()
}

// dispatchDurable dispatches a Ready of a durable replica: its records go to the group commit, and
// each message or reply waits for what it depends on (persister): a binding message for this
// Ready's records (and earlier ones), and so does a reply (pbft.RepliesNeedDurability), the
// rest for nothing. A snapshot installed through catch-up (Required) holds all of the Ready's
// messages and replies.
func (nd *node) dispatchDurable(rd *pbft.Ready, now time.Time) {
	binding := len(rd.Replies) > 0 && pbft.RepliesNeedDurability
	for i := range rd.Messages {
		binding = binding || pbft.NeedsDurability(rd.Messages[i].Msg)
	}
	job := nd.persist.submit(rd, binding)
	all := uint64(0)
	if c := rd.Checkpoint; c != nil && c.Required {
		all = job
	}
	for i := range rd.Messages {
		nd.dispatch(rd.Messages[i], sendWait(rd.Messages[i].Msg, job, all))
	}
	replies := all
	if pbft.RepliesNeedDurability {
		replies = job
	}
	nd.replyAll(rd.Replies, now, replies)
}

// sendWait is the persister job message m waits for (0: none): job, its Ready's, if m binds
// the replica, else all (its Ready's job if the Ready installs a snapshot, otherwise 0).
func sendWait(m pbft.Message, job, all uint64) uint64 {
	if pbft.NeedsDurability(m) {
		return job
	}
	return all
}

// noteView logs view changes at info level: they are rare and matter to an operator.
func (nd *node) noteView() {
	v, active := nd.core.View(), nd.core.ViewActive()
	if v == nd.lastView && active == nd.lastActive {
		return
	}
	nd.lastView, nd.lastActive = v, active
	now := time.Now()
	if nd.obs.vc.view != v {
		nd.obs.vc = viewChange{view: v, started: now}
	}
	if active {
		nd.obs.vc.entered = now
		nd.log.Info().Msgf("%s v=%d entered view, leader %s", nd.id, v, nd.core.Leader())
	} else {
		nd.log.Info().Msgf("%s v=%d view change started", nd.id, v)
	}
}
