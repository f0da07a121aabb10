package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// Convergence: how long the check waits for the honest replicas to agree, and how often it asks.
const (
	convergeTimeout = 30 * time.Second // benchCluster.checkWait overrides it (tests)
	convergePoll    = 200 * time.Millisecond
)

// checkConsistency waits until every honest replica reports the same executed slot and state digest
// (twice in a row), then checks that each holds the money the committed results imply: the initial
// money plus Σ Result.Value of every successful update (docs/design.md, "SmallBank benchmark"). A
// cluster the benchmark did not start is checked through its admin endpoints (checkByAdmin).
func checkConsistency(ctx context.Context, c *benchCluster, points []*point) Consistency {
	cons := Consistency{MoneyInitial: c.initial, MoneyReplicas: map[string]int64{}}
	for _, p := range points {
		p.rec.mu.Lock()
		cons.MoneyChange += p.rec.moneyIn
		cons.Unresolved += p.rec.errors
		p.rec.mu.Unlock()
	}
	cons.MoneyExpected = cons.MoneyInitial + cons.MoneyChange
	if c.existing {
		checkByAdmin(ctx, c, &cons)
		return cons
	}
	honest := c.honest()
	if len(honest) == 0 {
		cons.Detail = "not checked: no honest replica runs"
		return cons
	}
	cons.Checked = true
	last, agreed := converge(ctx, c, honest)
	for _, id := range honest {
		cons.MoneyReplicas[id.String()] = last[id].MoneyTotal
	}
	if !agreed {
		cons.Detail = fmt.Sprintf("honest replicas did not agree on the executed slot and state digest within %v", convergeTimeout)
		return cons
	}
	cons.DigestsAgree = true
	cons.ExecutedSlot, cons.StateDigest = last[honest[0]].ExecutedSlot, last[honest[0]].StateDigest
	if cons.Unresolved > 0 {
		cons.Detail = fmt.Sprintf("%d requests ended without a result, so the money they moved is unknown", cons.Unresolved)
		return cons
	}
	for _, id := range honest {
		if got := last[id].MoneyTotal; got != cons.MoneyExpected {
			cons.Detail = fmt.Sprintf("%s holds %d, the committed results imply %d", id, got, cons.MoneyExpected)
			return cons
		}
	}
	cons.Detail = fmt.Sprintf("%d honest replicas agree on slot %d and digest %.16s; money %d = %d %+d",
		len(honest), cons.ExecutedSlot, cons.StateDigest, cons.MoneyExpected, cons.MoneyInitial, cons.MoneyChange)
	return cons
}

// converge polls the honest replicas until two consecutive polls find them all at the same
// executed slot and digest; it returns the last metrics and whether they agreed.
func converge(ctx context.Context, c *benchCluster, honest []pbft.NodeID) (map[pbft.NodeID]controlapi.Metrics, bool) {
	deadline := time.Now().Add(convergeTimeout)
	var last map[pbft.NodeID]controlapi.Metrics
	prevKey := ""
	for {
		last = c.metrics(ctx)
		key, same := agreement(last, honest)
		if same && key == prevKey {
			return last, true
		}
		if same {
			prevKey = key
		} else {
			prevKey = ""
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return last, false
		}
		time.Sleep(convergePoll)
	}
}

// agreement reports whether every honest replica answered with the same executed slot and
// digest, and that pair as a key.
func agreement(m map[pbft.NodeID]controlapi.Metrics, honest []pbft.NodeID) (string, bool) {
	key := ""
	for i, id := range honest {
		mm, ok := m[id]
		if !ok {
			return "", false
		}
		k := fmt.Sprintf("%d/%s", mm.ExecutedSlot, mm.StateDigest)
		if i == 0 {
			key = k
		} else if k != key {
			return "", false
		}
	}
	return key, true
}

// checkTimeout is how long the final check waits for the replicas to agree.
func (c *benchCluster) checkTimeout() time.Duration {
	if c.checkWait > 0 {
		return c.checkWait
	}
	return convergeTimeout
}
