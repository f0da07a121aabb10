package node

import (
	"slices"
	"time"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/wire"
)

// dispatch sends one envelope of the core through the acting Behavior (byzantine.Route, the
// simulator's path too) and seals it as that behaviour says (auth.Sealer, corrupt under the
// sign attack). It runs on the loop and only issues a ticket and submits the sealing to the
// pool; the sealed message leaves in ticket order, once the persister job wait is durable (0:
// at once).
func (nd *node) dispatch(env pbft.Envelope, wait uint64) {
	if e := nd.log.Debug(); e.Enabled() {
		e.Msg(nd.line("send", env.Msg, "to "+env.To.String()))
	}
	if _, ok := env.Msg.(*pbft.Fetch); ok {
		nd.grantFetch(env.To)
	}
	act := nd.faults.acting()
	sealer := nd.auth.Sealer(act.corrupt)
	for _, g := range byzantine.Route(act.b, nd.id, nd.n, env) {
		ticket := nd.seq.issue()
		nd.pool.submit(func() { nd.seq.finish(ticket, nd.afterDurable(wait, nd.sealGroup(sealer, g))) })
	}
}

// grantFetch records a FETCH to one peer, or to every peer for a broadcast.
func (nd *node) grantFetch(to pbft.NodeID) {
	if to != pbft.Broadcast {
		nd.fetches.grant(to)
		return
	}
	for id := pbft.NodeID(1); int(id) <= nd.n; id++ {
		if id != nd.id {
			nd.fetches.grant(id)
		}
	}
}

// afterDurable wraps a send so that it runs only once persister job wait is durable.
func (nd *node) afterDurable(wait uint64, send func()) func() {
	if wait == 0 || send == nil {
		return send
	}
	return func() { nd.persist.after(wait, send) }
}

// sealGroup runs on the pool: it fills and seals the message and returns the action that
// delivers it (run in ticket order by the sequencer).
func (nd *node) sealGroup(sealer auth.Sealer, g byzantine.Group) func() {
	toSelf, toPeers := false, false
	for _, o := range g.Outs {
		if o.To == nd.id {
			toSelf = true
		} else {
			toPeers = true
		}
	}
	filled, err := sealer.Fill(g.Msg)
	if err != nil {
		nd.log.Warn().Err(err).Msgf("%s cannot sign %s", nd.id, g.Msg.Kind())
		return nil
	}
	var frame []byte
	if toPeers {
		if frame, err = sealer.Frame(filled); err != nil {
			nd.log.Warn().Err(err).Msgf("%s cannot encode %s", nd.id, g.Msg.Kind())
			toPeers = false
		}
	}
	return func() {
		for _, o := range g.Outs {
			switch {
			case o.To == nd.id && toSelf:
				nd.later(o.DelayTicks, func() { nd.mail.put(input{From: nd.id, Msg: filled, At: time.Now()}) })
			case o.To != nd.id && toPeers:
				to := o.To
				nd.later(o.DelayTicks, func() { nd.sendPeer(to, frame) })
			}
		}
	}
}

// sendPeer sends a frame to a replica unless the link to it is severed (faults.go).
func (nd *node) sendPeer(to pbft.NodeID, frame []byte) {
	if nd.faults.severed(to) {
		nd.severedFrames.Add(1)
		return
	}
	nd.tr.Send(to, frame)
}

// later runs f now, or after the given number of clock ticks (the time attack).
func (nd *node) later(ticks int, f func()) {
	if ticks <= 0 {
		f()
		return
	}
	time.AfterFunc(time.Duration(ticks)*nd.tick(), func() {
		select {
		case <-nd.done:
		default:
			f()
		}
	})
}

// combine runs a CombineJob on the pool and steps the result into the core.
func (nd *node) combine(job pbft.CombineJob) {
	nd.pool.submit(func() {
		res := nd.auth.Combine(job)
		nd.mail.put(input{From: nd.id, Msg: &res, At: time.Now()})
	})
}

// replyChunk is the most replies one pool job seals: a slot's replies go out in a few jobs,
// not one job each, and still use every worker.
const replyChunk = 64

// replyAll authenticates replies and sends them to their clients, except those the Behavior
// withholds.
func (nd *node) replyAll(reps []pbft.Reply, now time.Time, wait uint64) {
	out := make([]pbft.Reply, 0, len(reps))
	behavior := nd.faults.acting().b
	for i := range reps {
		rep := reps[i]
		if !rep.ReadOnly && rep.Seq > 0 {
			nd.metrics.executed(rep.Client, rep.Timestamp, now)
		}
		if !behavior.DropReply(&rep) {
			out = append(out, rep)
		}
	}
	for chunk := range slices.Chunk(out, replyChunk) {
		// Replies leave through the sequencer, in order with the messages dispatched before
		// them, once the records of their Ready and every earlier one are durable (wait;
		// pbft.RepliesNeedDurability says why).
		ticket := nd.seq.issue()
		nd.pool.submit(func() {
			frames := make([][]byte, len(chunk))
			for i := range chunk {
				frames[i] = nd.sealOneReply(&chunk[i])
			}
			nd.seq.finish(ticket, nd.afterDurable(wait, func() {
				for i, f := range frames {
					if f != nil {
						nd.tr.SendClient(chunk[i].Client, f)
					}
				}
			}))
		})
	}
}

// sealOneReply seals one reply for its client (nil if it cannot be encoded).
func (nd *node) sealOneReply(rep *pbft.Reply) []byte {
	frame, err := nd.sealReply(rep)
	if err != nil {
		nd.log.Warn().Err(err).Msgf("%s cannot encode reply to %s", nd.id, rep.Client)
		return nil
	}
	return frame
}

// sealReply MACs a reply and encodes it for the client (see the package documentation).
func (nd *node) sealReply(rep *pbft.Reply) ([]byte, error) {
	nd.auth.Sealer(nd.faults.acting().corrupt).SignReply(rep)
	return wire.EncodeReply(rep)
}
