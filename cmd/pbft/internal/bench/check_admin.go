package bench

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/admin"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// adminAskTimeout bounds one /status request of the check of an existing cluster.
const adminAskTimeout = 2 * time.Second

// ReplicaCheck is one replica in the final check of a cluster the benchmark did not start
// (--config), as its admin endpoint's /status answered (docs/operations.md, "The admin
// endpoint").
type ReplicaCheck struct {
	Checked     bool   `json:"checked"`
	Executed    uint64 `json:"executed,omitempty"`
	StateDigest string `json:"state_digest,omitempty"`
	MoneyTotal  *int64 `json:"money_total,omitempty"`
	Why         string `json:"why,omitempty"` // why it is unchecked
}

// statusPoll is one round of /status answers, by replica.
type statusPoll map[pbft.NodeID]ReplicaCheck

// pollStatus asks every replica of cfg for its status, in parallel. A replica whose admin
// endpoint is off or does not answer, whose answer is stale, or that is Byzantine (in the
// configuration or by a fault injected at run time) is unchecked, with the reason.
func pollStatus(ctx context.Context, cfg *cluster.Config) statusPoll {
	cl := admin.Client{HTTP: &http.Client{Timeout: adminAskTimeout}}
	out := statusPoll{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 1; i <= cfg.N(); i++ {
		id := pbft.NodeID(i)
		addr := cfg.AdminAddrOf(id)
		if addr == "" {
			out[id] = ReplicaCheck{Why: "admin endpoint off in the configuration"}
			continue
		}
		wg.Go(func() {
			st, err := cl.Status(ctx, addr)
			rc := classify(cfg, id, addr, st, err)
			mu.Lock()
			out[id] = rc
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

func classify(cfg *cluster.Config, id pbft.NodeID, addr string, st controlapi.NodeStatus, err error) ReplicaCheck {
	switch {
	case err != nil:
		return ReplicaCheck{Why: fmt.Sprintf("%s: %v", addr, err)}
	case st.ID != id.String():
		return ReplicaCheck{Why: fmt.Sprintf("%s answers as %q", addr, st.ID)}
	case len(cfg.Byzantine[id.String()]) > 0:
		return ReplicaCheck{Why: "Byzantine in the configuration"}
	case st.Faults != nil && len(st.Faults.Byzantine) > 0:
		return ReplicaCheck{Why: "Byzantine attacks injected at run time (pbft fault)"}
	case st.Stale || st.StateDigest == "":
		return ReplicaCheck{Why: "stale: its protocol loop did not answer (paused or overloaded)"}
	}
	return ReplicaCheck{Checked: true, Executed: st.Executed, StateDigest: st.StateDigest, MoneyTotal: st.MoneyTotal}
}

// checked lists the replicas that answered a usable status, in order.
func (p statusPoll) checked() []pbft.NodeID {
	var ids []pbft.NodeID
	for id, rc := range p {
		if rc.Checked {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// agreement reports whether at least quorum replicas answered and every one that answered is
// at the same executed slot with the same digest, and that pair as a key.
func (p statusPoll) agreement(quorum int) (string, bool) {
	ids := p.checked()
	if len(ids) < quorum {
		return "", false
	}
	key := ""
	for i, id := range ids {
		k := fmt.Sprintf("%d/%s", p[id].Executed, p[id].StateDigest)
		if i == 0 {
			key = k
		} else if k != key {
			return "", false
		}
	}
	return key, true
}

// convergeAdmin polls the replicas' status until two consecutive polls find the same
// agreement (at least quorum answered, all that answered at the same slot and digest), or
// until timeout: stragglers that answer get that long to catch up. It returns the last poll
// and whether it agreed.
func convergeAdmin(ctx context.Context, cfg *cluster.Config, quorum int, timeout time.Duration) (statusPoll, bool) {
	deadline := time.Now().Add(timeout)
	prevKey := ""
	for {
		last := pollStatus(ctx, cfg)
		key, same := last.agreement(quorum)
		if same && key == prevKey {
			return last, true
		}
		prevKey = key
		if time.Now().Add(convergePoll).After(deadline) || !waitPoll(ctx) {
			return last, false
		}
	}
}

// waitPoll waits one poll interval; false if ctx ended first.
func waitPoll(ctx context.Context) bool { return sleepUntil(ctx, time.Now().Add(convergePoll)) }

// checkByAdmin is the final check of a cluster the benchmark did not start: the replicas that
// answer on their admin endpoints must be at least 2f+1 and agree on the executed slot and
// state digest (docs/design.md, "SmallBank benchmark"); the money is checked too when their
// status carries it and every request got a result.
func checkByAdmin(ctx context.Context, c *benchCluster, cons *Consistency) {
	quorum := 2*c.cfg.F + 1
	last, agreed := convergeAdmin(ctx, c.cfg, quorum, c.checkTimeout())
	cons.Checked, cons.Replicas = true, map[string]ReplicaCheck{}
	for id, rc := range last {
		cons.Replicas[id.String()] = rc
	}
	ids := last.checked()
	unchecked := last.uncheckedText()
	if !agreed {
		if len(ids) < quorum {
			cons.Detail = fmt.Sprintf("only %d replicas answered their status, 2f+1 = %d needed; unchecked: %s", len(ids), quorum, unchecked)
		} else {
			cons.Detail = fmt.Sprintf("the replicas that answered did not agree on the executed slot and state digest within %v: %s", c.checkTimeout(), last.slotsText())
		}
		return
	}
	cons.DigestsAgree = true
	first := last[ids[0]]
	cons.ExecutedSlot, cons.StateDigest = first.Executed, first.StateDigest
	cons.Detail = fmt.Sprintf("%d of %d replicas agree on slot %d and digest %.16s (admin /status)", len(ids), c.cfg.N(), cons.ExecutedSlot, cons.StateDigest)
	if unchecked != "" {
		cons.Detail += "; unchecked: " + unchecked
	}
	cons.MoneyUnchecked = moneyUnchecked(c, last, ids, cons)
	if cons.MoneyUnchecked != "" {
		cons.Detail += "; money not checked: " + cons.MoneyUnchecked
		return
	}
	for _, id := range ids {
		cons.MoneyReplicas[id.String()] = *last[id].MoneyTotal
	}
	if !moneyMatches(*cons) {
		cons.Detail += fmt.Sprintf("; money: the replicas hold %d, the committed results imply %d", *first.MoneyTotal, cons.MoneyExpected)
		return
	}
	cons.Detail += fmt.Sprintf("; money %d = %d %+d (%s)", cons.MoneyExpected, cons.MoneyInitial, cons.MoneyChange, c.initialFrom)
}

// moneyUnchecked says why the money cannot be checked against an existing cluster, or "".
func moneyUnchecked(c *benchCluster, last statusPoll, ids []pbft.NodeID, cons *Consistency) string {
	if cons.Unresolved > 0 {
		return fmt.Sprintf("%d requests ended without a result, so the money they moved is unknown", cons.Unresolved)
	}
	for _, id := range ids {
		if last[id].MoneyTotal == nil {
			return fmt.Sprintf("%s's /status has no money_total (a pbft node older than the field)", id)
		}
	}
	if c.initialFrom == "" {
		return "the money before the run is unknown"
	}
	return ""
}

// uncheckedText lists the unchecked replicas with their reasons, or "".
func (p statusPoll) uncheckedText() string {
	var parts []string
	for i := 1; i <= len(p); i++ {
		if rc, ok := p[pbft.NodeID(i)]; ok && !rc.Checked {
			parts = append(parts, fmt.Sprintf("%s (%s)", pbft.NodeID(i), rc.Why))
		}
	}
	return strings.Join(parts, ", ")
}

// slotsText lists every checked replica's slot and digest prefix.
func (p statusPoll) slotsText() string {
	var parts []string
	for _, id := range p.checked() {
		parts = append(parts, fmt.Sprintf("%s at slot %d digest %.8s", id, p[id].Executed, p[id].StateDigest))
	}
	return strings.Join(parts, ", ")
}

// readInitialMoney reads the money of an existing cluster before the run from its replicas'
// status, once at least 2f+1 of them agree; when they do not (or their status has no
// money_total) the money stays the one the configuration implies for a fresh cluster.
func (c *benchCluster) readInitialMoney(ctx context.Context) {
	c.startSlot = -1
	last, agreed := convergeAdmin(ctx, c.cfg, 2*c.cfg.F+1, initialMoneyTimeout)
	if !agreed {
		return
	}
	ids := last.checked()
	c.startSlot = int64(last[ids[0]].Executed)
	if m := last[ids[0]].MoneyTotal; m != nil {
		c.initial = *m
		c.initialFrom = fmt.Sprintf("money before the run read from the replicas' status at slot %d", last[ids[0]].Executed)
	}
}

// initialMoneyTimeout bounds the wait for an existing cluster's replicas to agree before the run.
const initialMoneyTimeout = 10 * time.Second
