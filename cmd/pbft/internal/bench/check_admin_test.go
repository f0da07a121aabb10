package bench

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// fakeAdmin is a fake admin endpoint: it answers /status with what status returns for the
// n-th request.
type fakeAdmin struct {
	mu     sync.Mutex
	asked  int
	status func(asked int) controlapi.NodeStatus
}

func (f *fakeAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != controlapi.PathStatus {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.asked++
	st := f.status(f.asked)
	f.mu.Unlock()
	json.NewEncoder(w).Encode(st)
}

func money(v int64) *int64 { return &v }

// at is a status of replica id at slot with digest d and the given money.
func at(id int, slot uint64, d string, m *int64) controlapi.NodeStatus {
	return controlapi.NodeStatus{ID: pbft.NodeID(id).String(), Executed: slot, StateDigest: d, MoneyTotal: m}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// fakeCluster is an existing cluster of seven replicas whose admin endpoints are fakes
// (statuses[i] for replica i+1; nil: nothing listens on its admin address).
func fakeCluster(t *testing.T, statuses []func(int) controlapi.NodeStatus) *benchCluster {
	cfg := cluster.Default(2, 5001)
	for i, st := range statuses {
		if st == nil {
			cfg.Replicas[i].AdminAddr = closedAddr(t)
			continue
		}
		srv := httptest.NewServer(&fakeAdmin{status: st})
		t.Cleanup(srv.Close)
		cfg.Replicas[i].AdminAddr = strings.TrimPrefix(srv.URL, "http://")
	}
	return &benchCluster{cfg: cfg, existing: true, initial: 1000, initialFrom: "read before the run", checkWait: 2 * time.Second}
}

// same makes seven statuses at one slot and digest with money m, then lets change alter them.
func same(m *int64, change func(i int, asked int, st controlapi.NodeStatus) controlapi.NodeStatus) []func(int) controlapi.NodeStatus {
	out := make([]func(int) controlapi.NodeStatus, 7)
	for i := range out {
		out[i] = func(asked int) controlapi.NodeStatus {
			st := at(i+1, 40, "ab12cd34ef56", m)
			if change != nil {
				st = change(i+1, asked, st)
			}
			return st
		}
	}
	return out
}

func TestCheckByAdminAgreeingReplicas(t *testing.T) {
	c := fakeCluster(t, same(money(1000), nil))
	cons := checkConsistency(context.Background(), c, nil)
	if !consistent(cons) || cons.ExecutedSlot != 40 || len(cons.MoneyReplicas) != 7 || cons.MoneyUnchecked != "" ||
		!strings.Contains(cons.Detail, "7 of 7 replicas agree on slot 40") {
		t.Errorf("check %+v; want consistent at slot 40 with the money of 7 replicas", cons)
	}
}

func TestCheckByAdminFailsOnADisagreeingReplica(t *testing.T) {
	c := fakeCluster(t, same(money(1000), func(id, _ int, st controlapi.NodeStatus) controlapi.NodeStatus {
		if id == 3 {
			st.StateDigest = "ffff0000" // same slot, another state: diverged
		}
		return st
	}))
	start := time.Now()
	cons := checkConsistency(context.Background(), c, nil)
	if consistent(cons) || cons.DigestsAgree || !strings.Contains(cons.Detail, "n3 at slot 40 digest ffff0000") {
		t.Errorf("check %+v; want not consistent, naming n3", cons)
	}
	if took := time.Since(start); took < c.checkWait-time.Second || took > c.checkWait+5*time.Second {
		t.Errorf("took %v, want about the %v deadline", took, c.checkWait)
	}
}

func TestCheckByAdminWaitsForAStraggler(t *testing.T) {
	c := fakeCluster(t, same(money(1000), func(id, asked int, st controlapi.NodeStatus) controlapi.NodeStatus {
		if id == 5 && asked < 4 {
			st.Executed, st.StateDigest = 31, "0011" // behind for its first three answers
		}
		return st
	}))
	if cons := checkConsistency(context.Background(), c, nil); !consistent(cons) || !cons.Replicas["n5"].Checked || cons.Replicas["n5"].Executed != 40 {
		t.Errorf("check %+v; want consistent once n5 caught up", cons)
	}
}

func TestCheckByAdminUncheckedReplicas(t *testing.T) {
	two := same(money(1000), nil)
	two[5], two[6] = nil, nil
	cons := checkConsistency(context.Background(), fakeCluster(t, two), nil)
	if !consistent(cons) || cons.Replicas["n7"].Checked || !strings.Contains(cons.Replicas["n7"].Why, "connection refused") ||
		!strings.Contains(cons.Detail, "5 of 7 replicas agree") || !strings.Contains(cons.Detail, "unchecked: n6 (") {
		t.Errorf("check %+v; want consistent with n6 and n7 unchecked (connection refused)", cons)
	}
	three := same(money(1000), func(id, _ int, st controlapi.NodeStatus) controlapi.NodeStatus {
		if id == 4 {
			st.Stale, st.StateDigest = true, ""
		}
		return st
	})
	three[5], three[6] = nil, nil
	cons = checkConsistency(context.Background(), fakeCluster(t, three), nil)
	if consistent(cons) || !strings.Contains(cons.Detail, "only 4 replicas answered their status, 2f+1 = 5 needed") ||
		!strings.Contains(cons.Replicas["n4"].Why, "stale") {
		t.Errorf("check %+v; want not consistent with 4 of 7 (n4 stale, n6 and n7 down)", cons)
	}
}

func TestCheckByAdminMoney(t *testing.T) {
	cons := checkConsistency(context.Background(), fakeCluster(t, same(money(999), nil)), nil)
	if consistent(cons) || !strings.Contains(cons.Detail, "the replicas hold 999, the committed results imply 1000") {
		t.Errorf("check %+v; want not consistent: money 999 where 1000 is implied", cons)
	}
	cons = checkConsistency(context.Background(), fakeCluster(t, same(nil, nil)), nil)
	if !consistent(cons) || !strings.Contains(cons.MoneyUnchecked, "no money_total") || !strings.Contains(cons.Detail, "money not checked") {
		t.Errorf("check %+v; want consistent, saying the money could not be checked", cons)
	}
	c := fakeCluster(t, same(money(1000), nil))
	c.initialFrom = ""
	if cons := checkConsistency(context.Background(), c, nil); !consistent(cons) || !strings.Contains(cons.MoneyUnchecked, "before the run is unknown") {
		t.Errorf("check %+v; want the money unchecked without the money before the run", cons)
	}
}

func TestReadInitialMoney(t *testing.T) {
	c := fakeCluster(t, same(money(123456), nil))
	c.initial, c.initialFrom = 0, ""
	c.readInitialMoney(context.Background())
	if c.initial != 123456 || !strings.Contains(c.initialFrom, "slot 40") || c.startSlot != 40 {
		t.Errorf("initial %d (%q), want 123456 read at slot 40", c.initial, c.initialFrom)
	}
}
