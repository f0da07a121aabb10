package node

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// statusWait is how long /status waits for the protocol loop before it answers from the
// latest observation, marked stale.
const statusWait = time.Second

// nodeStatusAnswer answers CmdNode on the loop: what the core knows now, with the state digest;
// the rest (peers, faults) is added off the loop.
func (nd *node) nodeStatusAnswer() answer {
	digest := nd.core.StateDigest()
	money := nd.bank.Total()
	st := controlapi.NodeStatus{MoneyTotal: &money, ID: nd.id.String(), View: uint64(nd.core.View()), ViewActive: nd.core.ViewActive(),
		Leader: nd.core.Leader().String(), Executed: uint64(nd.core.Executed()),
		Stable: uint64(nd.core.StableCheckpoint().Seq), StateDigest: hex.EncodeToString(digest[:]),
		TimerBaseMS:    float64(time.Duration(nd.core.TimerBase())*nd.tick()) / float64(time.Millisecond),
		LastViewChange: viewChangeInfo(nd.obs.vc)}
	return func() (any, error) {
		nd.completeStatus(&st)
		return st, nil
	}
}

// staleStatus is the status from the latest observation, for when the loop does not answer.
func (nd *node) staleStatus() controlapi.NodeStatus {
	o := nd.published.Load()
	st := controlapi.NodeStatus{ID: nd.id.String(), View: uint64(o.view), ViewActive: o.viewActive,
		Leader: o.leader.String(), Executed: uint64(o.executed), Stable: uint64(o.stable),
		LastViewChange: viewChangeInfo(o.vc), Stale: true}
	nd.completeStatus(&st)
	return st
}

// completeStatus adds what the loop does not own: links, start time and faults.
func (nd *node) completeStatus(st *controlapi.NodeStatus) {
	st.UpSince = nd.started
	st.Peers = map[string]bool{}
	for id, p := range nd.tr.Stats().Peers {
		st.Peers[id.String()] = p.Connected
		if p.Connected {
			st.ConnectedPeers++
		}
	}
	if nd.faults.allowed() {
		st.Faults = nd.faults.state(time.Now())
	}
}

func viewChangeInfo(vc viewChange) *controlapi.ViewChangeInfo {
	if vc.view == 0 {
		return nil
	}
	return &controlapi.ViewChangeInfo{View: uint64(vc.view), Started: vc.started, Entered: vc.entered}
}

// status asks the loop for the replica's status, or answers from the latest observation when
// the loop does not answer within statusWait (paused by a fault, or overloaded).
func (nd *node) status(ctx context.Context, calls chan<- controlCall) controlapi.NodeStatus {
	ctx, cancel := context.WithTimeout(ctx, statusWait)
	defer cancel()
	call := controlCall{req: controlapi.Request{Cmd: controlapi.CmdNode}, reply: make(chan answer, 1)}
	select {
	case calls <- call:
	case <-ctx.Done():
		return nd.staleStatus()
	case <-nd.done:
		return nd.staleStatus()
	}
	select {
	case ans := <-call.reply:
		if data, err := ans(); err == nil {
			if st, ok := data.(controlapi.NodeStatus); ok {
				return st
			}
		}
	case <-ctx.Done():
	case <-nd.done:
	}
	return nd.staleStatus()
}
