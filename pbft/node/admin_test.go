package node

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// TestAdminEndpoint runs seven in-process replicas with admin endpoints (n7 without
// AllowFaults) and checks /status against the control channel, /metrics, the guards of the
// fault API, and that a pause really stops the protocol loop (its status turns stale).
func TestAdminEndpoint(t *testing.T) {
	var mu sync.Mutex
	addrs := map[pbft.NodeID]string{}
	c := startClusterWith(t, allReplicas, nil, func(o *Options) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		addrs[o.ID] = ln.Addr().String()
		mu.Unlock()
		o.AdminListener, o.AllowFaults = ln, o.ID != 7
	})

	eventually(t, "n1 connected to its 6 peers", func() (bool, string) {
		st := adminStatus(t, addrs[1])
		return st.ConnectedPeers == 6, fmt.Sprintf("%+v", st)
	})
	st := adminStatus(t, addrs[1])
	var viaControl controlapi.NodeStatus
	c.nodes[1].ctl.get(t, controlapi.CmdNode, 0, &viaControl)
	if st.ID != "n1" || st.View != 1 || !st.ViewActive || st.Leader != "n1" || st.Stale || st.TimerBaseMS <= 0 ||
		st.StateDigest == "" || st.StateDigest != viaControl.StateDigest || st.Faults == nil {
		t.Errorf("status %+v; control channel %+v", st, viaControl)
	}
	var m controlapi.Metrics
	c.nodes[1].ctl.get(t, controlapi.CmdMetrics, 0, &m)
	if st.MoneyTotal == nil || *st.MoneyTotal != m.MoneyTotal || m.MoneyTotal == 0 {
		t.Errorf("status money_total %v, metrics money_total %d; want the same, non-zero", st.MoneyTotal, m.MoneyTotal)
	}
	if s7 := adminStatus(t, addrs[7]); s7.Faults != nil || s7.StateDigest != st.StateDigest {
		t.Errorf("n7 (faults off) status %+v", s7)
	}

	body := get(t, "http://"+addrs[1]+"/metrics", http.StatusOK)
	for _, want := range []string{"pbft_view 1\n", "pbft_leader 1\n", "pbft_peers_connected 6\n",
		`pbft_slots_committed_total{path="fast"} 0`, "pbft_request_execute_seconds_bucket", "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	post := func(addr, contentType, origin, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/fault", strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		addr, ctype, origin, body string
		code                      int
		want                      string
	}{
		{addrs[7], "application/json", "", `{"action":"clear"}`, http.StatusForbidden, "--allow-faults"},
		{addrs[1], "", "", `{"action":"clear"}`, http.StatusUnsupportedMediaType, "JSON body"},
		{addrs[1], "application/json", "http://example.com", `{"action":"clear"}`, http.StatusForbidden, "web page"},
		{addrs[1], "application/json", "", `{"action":"clear","force":true}`, http.StatusBadRequest, "unknown field"},
		{addrs[1], "application/json", "", `{"action":"pause","duration":"1h"}`, http.StatusBadRequest, "at most"},
		{addrs[1], "application/json", "", `{"action":"pause","duration":"3s"}`, http.StatusOK, "paused_until"},
	} {
		if code, got := post(tc.addr, tc.ctype, tc.origin, tc.body); code != tc.code || !strings.Contains(got, tc.want) {
			t.Errorf("POST %s to %s: %d %q, want %d with %q", tc.body, tc.addr, code, got, tc.code, tc.want)
		}
	}
	get(t, "http://"+addrs[7]+"/fault", http.StatusForbidden)
	rebound, _ := http.NewRequest(http.MethodGet, "http://"+addrs[1]+"/status", nil)
	rebound.Host = "attacker.example:80" // DNS rebinding: another site's name on a loopback address
	if resp, err := http.DefaultClient.Do(rebound); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("status asked under another host name: %v %v, want 403", resp, err)
	} else {
		resp.Body.Close()
	}

	// The pause holds the loop: /status falls back to the last observation.
	if paused := adminStatus(t, addrs[1]); !paused.Stale || paused.Faults.PausedUntil == nil || paused.View != 1 {
		t.Errorf("status of a paused replica: %+v", paused)
	}
	if code, got := post(addrs[1], "application/json", "", `{"action":"clear"}`); code != http.StatusOK {
		t.Fatalf("clear: %d %s", code, got)
	}
	eventually(t, "n1's loop answering again after clear", func() (bool, string) {
		st := adminStatus(t, addrs[1])
		return !st.Stale, fmt.Sprintf("%+v", st)
	})
	get(t, "http://"+addrs[1]+"/debug/pprof/", http.StatusOK)
}

func adminStatus(t *testing.T, addr string) controlapi.NodeStatus {
	t.Helper()
	var st controlapi.NodeStatus
	if err := json.Unmarshal([]byte(get(t, "http://"+addr+"/status", http.StatusOK)), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func get(t *testing.T, url string, code int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != code {
		t.Fatalf("GET %s: %d %s, want %d", url, resp.StatusCode, b, code)
	}
	return string(b)
}
