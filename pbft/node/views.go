package node

import (
	"encoding/hex"
	"errors"

	"github.com/bftbank/pbft/pbft"
)

// serveControl answers a control request on the protocol loop: it copies what it needs from
// the core and returns the rest of the work (encoding, sorting) to the control goroutine.
func (nd *node) serveControl(req controlRequest) answer {
	var data any
	switch req.Cmd {
	case "log":
		data = logData{Lines: append([]string{}, nd.core.Log()...)}
	case "status":
		if req.Seq < 1 {
			return fail(errors.New("status needs a seq >= 1"))
		}
		data = statusData{Status: nd.core.SlotStatus(pbft.Seq(req.Seq)).String()}
	case "balances":
		data = nd.balances()
	case "newviews":
		data = newViewsData{NewViews: newViewsJSON(nd.core.NewViews())}
	case "metrics":
		return nd.metricsAnswer()
	default:
		return fail(errUnknownCommand)
	}
	return func() (any, error) { return data, nil }
}

func fail(err error) answer { return func() (any, error) { return nil, err } }

type logData struct {
	Lines []string `json:"lines"`
}

type statusData struct {
	Status string `json:"status"`
}

type balancesData struct {
	Balances map[string]int64 `json:"balances"`
}

// balances is checking + savings of every account.
func (nd *node) balances() balancesData {
	out := balancesData{Balances: map[string]int64{}}
	for _, name := range nd.bank.Accounts() {
		b, _ := nd.bank.Balance(name)
		out.Balances[name] = b
	}
	return out
}

type newViewsData struct {
	NewViews []newViewJSON `json:"new_views"`
}

type newViewJSON struct {
	View        uint64           `json:"view"`
	ViewChanges []viewChangeJSON `json:"view_changes"`
	PrePrepares []prePrepareJSON `json:"pre_prepares"`
}

type viewChangeJSON struct {
	Replica  uint32         `json:"replica"`
	Stable   uint64         `json:"stable"`
	Prepared []preparedJSON `json:"prepared"`
	Votes    []voteJSON     `json:"votes"`
}

type preparedJSON struct {
	Seq    uint64 `json:"seq"`
	View   uint64 `json:"view"`
	Type   string `json:"type"`
	Digest string `json:"digest"`
}

type voteJSON struct {
	Seq    uint64 `json:"seq"`
	View   uint64 `json:"view"`
	Digest string `json:"digest"`
}

type prePrepareJSON struct {
	Seq      uint64 `json:"seq"`
	Digest   string `json:"digest"`
	Requests int    `json:"requests"`
	Noop     bool   `json:"noop"`
}

// newViewsJSON describes every NEW-VIEW for command 4; lists are never null.
func newViewsJSON(nvs []pbft.NewView) []newViewJSON {
	out := make([]newViewJSON, 0, len(nvs))
	for i := range nvs {
		nv := &nvs[i]
		j := newViewJSON{View: uint64(nv.View), ViewChanges: make([]viewChangeJSON, 0, len(nv.ViewChanges)),
			PrePrepares: make([]prePrepareJSON, 0, len(nv.PrePrepares))}
		for k := range nv.ViewChanges {
			j.ViewChanges = append(j.ViewChanges, viewChangeToJSON(&nv.ViewChanges[k]))
		}
		for _, pp := range nv.PrePrepares {
			j.PrePrepares = append(j.PrePrepares, prePrepareJSON{Seq: uint64(pp.Seq), Digest: pp.Digest.String(),
				Requests: len(pp.Batch), Noop: len(pp.Batch) == 0})
		}
		out = append(out, j)
	}
	return out
}

func viewChangeToJSON(vc *pbft.ViewChange) viewChangeJSON {
	j := viewChangeJSON{Replica: uint32(vc.Replica), Stable: uint64(vc.Stable.Seq),
		Prepared: make([]preparedJSON, 0, len(vc.Prepared)), Votes: make([]voteJSON, 0, len(vc.Votes))}
	for _, p := range vc.Prepared {
		j.Prepared = append(j.Prepared, preparedJSON{Seq: uint64(p.Cert.Seq), View: uint64(p.Cert.View),
			Type: p.Cert.Type.String(), Digest: p.Cert.Digest.String()})
	}
	for _, v := range vc.Votes {
		j.Votes = append(j.Votes, voteJSON{Seq: uint64(v.Seq), View: uint64(v.View),
			Digest: pbft.BatchDigest(v.Batch).String()})
	}
	return j
}

// metricsData is the answer to the metrics command (command 5).
type metricsData struct {
	ExecutedRequests uint64       `json:"executed_requests"`
	ExecutedSlots    uint64       `json:"executed_slots"`
	ThroughputTPS    float64      `json:"throughput_tps"`
	LatencyMS        latencyMS    `json:"latency_ms"`
	View             uint64       `json:"view"`
	ViewChanges      uint64       `json:"view_changes"`
	FastCommits      uint64       `json:"fast_commits"`
	SlowCommits      uint64       `json:"slow_commits"`
	WaitedSlots      uint64       `json:"waited_slots"`
	Rejected         rejectedData `json:"rejected"`
	StateDigest      string       `json:"state_digest"`
	ExecutedSlot     uint64       `json:"executed_slot"`
	// Beyond the contract: what was dropped without being judged, and what the core refused.
	Dropped      droppedData `json:"dropped"`
	CoreRejected uint64      `json:"core_rejected"`
	// For the benchmark: the bank's money and size, and the process's memory.
	MoneyTotal int64      `json:"money_total"`
	Accounts   int        `json:"accounts"`
	Memory     memoryData `json:"memory"`
}

type memoryData struct {
	RSSBytes  uint64 `json:"rss_bytes"`  // resident set size (0 where /proc is missing)
	HeapBytes uint64 `json:"heap_bytes"` // Go heap in use
	SysBytes  uint64 `json:"sys_bytes"`  // memory obtained from the OS by the Go runtime
}

type rejectedData struct {
	BadSignature          uint64 `json:"bad_signature"`
	BadShare              uint64 `json:"bad_share"`
	ConflictingPrePrepare uint64 `json:"conflicting_preprepare"`
	Other                 uint64 `json:"other"`
}

type droppedData struct {
	InboundOverload uint64 `json:"inbound_overload"` // frames refused: inbound budget spent
	OutboundQueue   uint64 `json:"outbound_queue"`   // frames the transport's peer queues refused
	ClientReplies   uint64 `json:"client_replies"`   // replies with no client connection or a full queue
}

func (nd *node) metricsAnswer() answer {
	st := nd.core.Stats()
	digest := nd.core.StateDigest()
	data := metricsData{
		ExecutedRequests: st.ExecutedRequests, ExecutedSlots: st.ExecutedSlots,
		ThroughputTPS: nd.metrics.throughput(st.ExecutedRequests),
		View:          uint64(nd.core.View()), ViewChanges: st.ViewChanges,
		FastCommits: st.FastCommits, SlowCommits: st.SlowCommits, WaitedSlots: st.WaitedSlots,
		Rejected: rejectedData{
			BadSignature: nd.rejects.badSignature.Load(), BadShare: st.BadShares,
			ConflictingPrePrepare: st.RejectedConflicts, Other: nd.rejects.other.Load(),
		},
		StateDigest: hex.EncodeToString(digest[:]), ExecutedSlot: uint64(nd.core.Executed()),
		CoreRejected: st.RejectedMessages,
		MoneyTotal:   nd.bank.Total(), Accounts: nd.bank.Len(),
	}
	lat := nd.metrics.snapshot()
	tr := nd.tr
	overload := nd.rejects.overload.Load()
	return func() (any, error) {
		data.LatencyMS = lat.summary()
		data.Memory = readMemory()
		ts := tr.Stats()
		data.Dropped = droppedData{InboundOverload: overload, ClientReplies: ts.ClientDropped}
		for _, p := range ts.Peers {
			data.Dropped.OutboundQueue += p.Dropped
		}
		return data, nil
	}
}
