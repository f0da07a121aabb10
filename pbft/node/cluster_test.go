package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
	"github.com/bftbank/pbft/smallbank"
)

var allReplicas = []pbft.NodeID{1, 2, 3, 4, 5, 6, 7}

// runWorkload has clients A and B run in parallel: A pays B 3 and then tries to pay C 20
// (insufficient funds), B pays D 2. Whatever the interleaving, the final balances are
// A=7 B=11 C=10 D=12 E=10, and a read of B afterwards returns 11.
func runWorkload(t *testing.T, c *testCluster) {
	t.Helper()
	a, b := newTestClient(t, c, "A"), newTestClient(t, c, "B")
	var wg sync.WaitGroup
	var paid, failed, other outcome
	wg.Go(func() {
		paid = a.submit(t, transfer("A", "B", 3))
		failed = a.submit(t, transfer("A", "C", 20))
	})
	wg.Go(func() { other = b.submit(t, transfer("B", "D", 2)) })
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if !paid.result.OK || !other.result.OK || paid.seq == 0 || other.seq == 0 {
		t.Fatalf("transfers: %+v %+v", paid, other)
	}
	if failed.result.OK || failed.result.Reason != smallbank.ReasonInsufficientFunds {
		t.Fatalf("overdraft gave %+v, want %q", failed, smallbank.ReasonInsufficientFunds)
	}
	read := b.submit(t, balanceOf("B"))
	if !read.result.OK || read.result.Value != 11 || read.seq != 0 {
		t.Fatalf("read of B = %+v, want 11 answered from state", read)
	}
}

var wantBalances = map[string]int64{"A": 7, "B": 11, "C": 10, "D": 12, "E": 10}

// awaitBalances waits until every running replica executed the workload's three ordered
// requests and reports wantBalances.
func awaitBalances(t *testing.T, c *testCluster) {
	t.Helper()
	for id, tn := range c.nodes {
		eventually(t, fmt.Sprintf("%s balances", id), func() (bool, string) {
			var got controlapi.BalancesData
			var m controlapi.Metrics
			tn.ctl.get(t, "balances", 0, &got)
			tn.ctl.get(t, "metrics", 0, &m)
			state := fmt.Sprintf("%v after %d requests", got.Balances, m.ExecutedRequests)
			return fmt.Sprint(got.Balances) == fmt.Sprint(wantBalances) && m.ExecutedRequests == 3, state
		})
	}
}

// metricsOf returns every running replica's metrics.
func metricsOf(t *testing.T, c *testCluster) map[pbft.NodeID]controlapi.Metrics {
	t.Helper()
	out := map[pbft.NodeID]controlapi.Metrics{}
	for id, tn := range c.nodes {
		var m controlapi.Metrics
		tn.ctl.get(t, "metrics", 0, &m)
		out[id] = m
	}
	return out
}

// checkAgreement checks that every running replica executed the same slots to the same state.
func checkAgreement(t *testing.T, c *testCluster) map[pbft.NodeID]controlapi.Metrics {
	t.Helper()
	ms := metricsOf(t, c)
	ref := ms[1]
	for id, m := range ms {
		if m.StateDigest != ref.StateDigest || m.ExecutedSlot != ref.ExecutedSlot || m.ExecutedRequests != 3 {
			t.Errorf("%s: digest %s slot %d requests %d; n1: digest %s slot %d (want 3 requests)",
				id, m.StateDigest, m.ExecutedSlot, m.ExecutedRequests, ref.StateDigest, ref.ExecutedSlot)
		}
		if m.View != 1 || m.ViewChanges != 0 {
			t.Errorf("%s: view %d after %d view changes, want view 1", id, m.View, m.ViewChanges)
		}
		if m.FastCommits+m.SlowCommits != m.ExecutedSlots {
			t.Errorf("%s: %d fast + %d slow commits for %d executed slots", id, m.FastCommits, m.SlowCommits, m.ExecutedSlots)
		}
	}
	return ms
}

func TestAllReplicasCommitAndAgree(t *testing.T) {
	c := startCluster(t, allReplicas, nil)
	runWorkload(t, c)
	awaitBalances(t, c)
	ms := checkAgreement(t, c)
	t.Logf("n1 metrics: %+v", ms[1])
	if lead := ms[1]; lead.LatencyMS.Max <= 0 || lead.LatencyMS.P50 > lead.LatencyMS.Max || lead.ThroughputTPS <= 0 {
		t.Errorf("leader latency %+v throughput %v", lead.LatencyMS, lead.ThroughputTPS)
	}
	for id, tn := range c.nodes {
		for s := pbft.Seq(1); s <= pbft.Seq(ms[id].ExecutedSlot); s++ {
			var st controlapi.StatusData
			tn.ctl.get(t, "status", uint64(s), &st)
			if st.Status != "E" {
				t.Errorf("%s: slot %d status %q, want E", id, s, st.Status)
			}
		}
		var lg controlapi.LogData
		tn.ctl.get(t, "log", 0, &lg)
		if len(lg.Lines) == 0 || !strings.HasPrefix(lg.Lines[0], id.String()+" v=1 ") {
			t.Errorf("%s: log %q", id, lg.Lines)
		}
		_, raw := tn.ctl.call(t, "newviews", 0)
		if string(raw) != `{"new_views":[]}` {
			t.Errorf("%s: newviews %s", id, raw)
		}
	}
}

func TestOneReplicaDownCommitsOnSlowPath(t *testing.T) {
	c := startCluster(t, allReplicas[:6], nil) // n7 is down
	runWorkload(t, c)
	awaitBalances(t, c)
	for id, m := range checkAgreement(t, c) {
		if m.FastCommits != 0 || m.SlowCommits == 0 {
			t.Errorf("%s: %d fast and %d slow commits with n7 down, want slow only", id, m.FastCommits, m.SlowCommits)
		}
	}
}

func TestCorruptSignaturesAreRejected(t *testing.T) {
	// n7 runs the sign attack; n6 sends everything late (the time attack's mechanism).
	behaviors := map[pbft.NodeID]byzantine.Behavior{7: byzantine.Sign{}, 6: byzantine.Time{DelayTicks: 5}}
	c := startCluster(t, allReplicas, behaviors)
	a := newTestClient(t, c, "A")
	runWorkload(t, c)
	awaitBalances(t, c) // n7 still learns everything: only what it sends is bad
	ms := checkAgreement(t, c)
	if ms[1].Rejected.BadSignature == 0 {
		t.Errorf("n1 rejected no bad signature: %+v", ms[1].Rejected)
	}
	for id, m := range ms {
		if m.FastCommits != 0 {
			t.Errorf("%s: %d fast commits although n7's σ-shares are invalid", id, m.FastCommits)
		}
	}
	// n7's replies carry damaged signatures: the client must have refused some of them.
	a.submit(t, balanceOf("A"))
	eventually(t, "client rejects n7's replies", func() (bool, string) {
		n := a.rejected.Load()
		return n > 0, fmt.Sprint(n, " rejected")
	})
}

// TestMetricsHasContractFields checks the metrics answer against the contract's field names.
func TestMetricsHasContractFields(t *testing.T) {
	c := startCluster(t, allReplicas[:1], nil)
	_, raw := c.nodes[1].ctl.call(t, "metrics", 0)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"executed_requests", "executed_slots", "throughput_tps", "latency_ms", "view",
		"view_changes", "fast_commits", "slow_commits", "waited_slots", "rejected", "state_digest", "executed_slot"} {
		if _, ok := m[k]; !ok {
			t.Errorf("metrics lacks %q: %s", k, raw)
		}
	}
	lat, _ := m["latency_ms"].(map[string]any)
	rej, _ := m["rejected"].(map[string]any)
	for _, k := range []string{"avg", "p50", "p90", "p99", "max"} {
		if _, ok := lat[k]; !ok {
			t.Errorf("latency_ms lacks %q", k)
		}
	}
	for _, k := range []string{"bad_signature", "bad_share", "conflicting_preprepare", "other"} {
		if _, ok := rej[k]; !ok {
			t.Errorf("rejected lacks %q", k)
		}
	}
	if d, _ := m["state_digest"].(string); len(d) != 64 {
		t.Errorf("state_digest %q", d)
	}
}

func TestLeaderDownViewChange(t *testing.T) {
	c := startCluster(t, allReplicas[1:], nil) // n1, the leader of view 1, is down
	runWorkload(t, c)
	awaitBalances(t, c)
	for id, tn := range c.nodes {
		var m controlapi.Metrics
		tn.ctl.get(t, "metrics", 0, &m)
		if m.View < 2 || m.ViewChanges == 0 {
			t.Errorf("%s: view %d after %d view changes, want a new view", id, m.View, m.ViewChanges)
		}
		var nv controlapi.NewViewsData
		tn.ctl.get(t, "newviews", 0, &nv)
		if len(nv.NewViews) == 0 {
			t.Errorf("%s: no NEW-VIEW recorded", id)
			continue
		}
		first := nv.NewViews[0]
		if first.View != 2 || len(first.ViewChanges) < 5 {
			t.Errorf("%s: first NEW-VIEW %+v, want view 2 with 2f+1 view changes", id, first)
		}
	}
}
