package node

import (
	"encoding/hex"
	"errors"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
	"github.com/bftbank/pbft/pbft/node/cpustat"
	"github.com/bftbank/pbft/pbft/transport"
)

// serveControl answers a control request on the protocol loop: it copies what it needs from
// the core and returns the rest of the work (encoding, sorting) to the control goroutine.
func (nd *node) serveControl(req controlapi.Request) answer {
	var data any
	switch req.Cmd {
	case controlapi.CmdLog:
		data = controlapi.LogData{Lines: append([]string{}, nd.core.Log()...)}
	case controlapi.CmdStatus:
		if req.Seq < 1 {
			return fail(errors.New("status needs a seq >= 1"))
		}
		data = controlapi.StatusData{Status: nd.core.SlotStatus(pbft.Seq(req.Seq)).String()}
	case controlapi.CmdBalances:
		data = nd.balances()
	case controlapi.CmdNewViews:
		data = controlapi.NewViewsData{NewViews: newViewsJSON(nd.core.NewViews())}
	case controlapi.CmdMetrics:
		return nd.metricsAnswer()
	case controlapi.CmdNode:
		return nd.nodeStatusAnswer()
	default:
		return fail(errUnknownCommand)
	}
	return func() (any, error) { return data, nil }
}

func fail(err error) answer { return func() (any, error) { return nil, err } }

// balances is checking + savings of every account.
func (nd *node) balances() controlapi.BalancesData {
	out := controlapi.BalancesData{Balances: map[string]int64{}}
	for _, name := range nd.bank.Accounts() {
		b, _ := nd.bank.Balance(name)
		out.Balances[name] = b
	}
	return out
}

// newViewsJSON describes every NEW-VIEW for command 4; lists are never null.
func newViewsJSON(nvs []pbft.NewView) []controlapi.NewView {
	out := make([]controlapi.NewView, 0, len(nvs))
	for i := range nvs {
		nv := &nvs[i]
		j := controlapi.NewView{View: uint64(nv.View), ViewChanges: make([]controlapi.ViewChange, 0, len(nv.ViewChanges)),
			PrePrepares: make([]controlapi.PrePrepare, 0, len(nv.PrePrepares))}
		for k := range nv.ViewChanges {
			j.ViewChanges = append(j.ViewChanges, viewChangeToJSON(&nv.ViewChanges[k]))
		}
		for _, pp := range nv.PrePrepares {
			j.PrePrepares = append(j.PrePrepares, controlapi.PrePrepare{Seq: uint64(pp.Seq), Digest: pp.Digest.String(),
				Requests: len(pp.Batch), Noop: len(pp.Batch) == 0})
		}
		out = append(out, j)
	}
	return out
}

func viewChangeToJSON(vc *pbft.ViewChange) controlapi.ViewChange {
	j := controlapi.ViewChange{Replica: int(vc.Replica), Stable: uint64(vc.Stable.Seq),
		Prepared: make([]controlapi.Prepared, 0, len(vc.Prepared)), Votes: make([]controlapi.Vote, 0, len(vc.Votes))}
	for _, p := range vc.Prepared {
		j.Prepared = append(j.Prepared, controlapi.Prepared{Seq: uint64(p.Cert.Seq), View: uint64(p.Cert.View),
			Type: p.Cert.Type.String(), Digest: p.Cert.Digest.String()})
	}
	for _, v := range vc.Votes {
		j.Votes = append(j.Votes, controlapi.Vote{Seq: uint64(v.Seq), View: uint64(v.View),
			Digest: v.Digest.String()})
	}
	return j
}

func (nd *node) metricsAnswer() answer {
	st := nd.core.Stats()
	digest := nd.core.StateDigest()
	data := controlapi.Metrics{
		ExecutedRequests: st.ExecutedRequests, ExecutedSlots: st.ExecutedSlots,
		ThroughputTPS: nd.metrics.throughput(st.ExecutedRequests),
		View:          uint64(nd.core.View()), ViewActive: nd.core.ViewActive(), ViewChanges: st.ViewChanges,
		FastCommits: st.FastCommits, SlowCommits: st.SlowCommits, WaitedSlots: st.WaitedSlots,
		Rejected: controlapi.Rejected{
			BadSignature: nd.rejects.badSignature.Load(), BadShare: st.BadShares,
			ConflictingPrePrepare: st.RejectedConflicts, Other: nd.rejects.other.Load(),
		},
		StateDigest: hex.EncodeToString(digest[:]), ExecutedSlot: uint64(nd.core.Executed()),
		CoreRejected: st.RejectedMessages, NotAuthorized: nd.bank.Refused(),
		MoneyTotal: nd.bank.Total(), Accounts: nd.bank.Len(),
		Fsyncs: nd.fsyncs(), DurableRecords: nd.durableRecords(),
		CryptoBackend: nd.backend,
	}
	lat := nd.metrics.snapshot()
	tr := nd.tr
	overload, shared := nd.rejects.overload.Load(), nd.shares.dropped.Load()
	return func() (any, error) {
		data.LatencyMS = lat.summary()
		data.Memory = readMemory()
		data.CPUSeconds = cpustat.Self().Seconds()
		ts := tr.Stats()
		data.Dropped = controlapi.Dropped{InboundOverload: overload, ClientShare: shared, ClientReplies: ts.ClientDropped}
		data.Edges = edges(ts.Refused)
		for _, p := range ts.Peers {
			data.Dropped.OutboundQueue += p.Dropped
		}
		return data, nil
	}
}

func edges(r transport.Refusals) controlapi.Edges {
	return controlapi.Edges{Pending: r.Pending, Handshake: r.Handshake, BadProof: r.BadProof,
		Unknown: r.Unknown, ClientConns: r.ClientConns, ClientIDs: r.ClientIDs, PerClient: r.PerClient,
		Replace: r.Replace, Timeouts: r.Timeouts}
}
