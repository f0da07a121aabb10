package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bftbank/pbft/pbft/node/controlapi"
)

func TestFaultRequestGrammar(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want controlapi.FaultRequest
		show bool
		err  string
	}{
		{nil, controlapi.FaultRequest{}, true, ""},
		{[]string{"show"}, controlapi.FaultRequest{}, true, ""},
		{[]string{"pause", "5s"}, controlapi.FaultRequest{Action: "pause", Duration: "5s"}, false, ""},
		{[]string{"PAUSE", "250ms"}, controlapi.FaultRequest{Action: "pause", Duration: "250ms"}, false, ""},
		{[]string{"pause"}, controlapi.FaultRequest{}, false, "one duration"},
		{[]string{"pause", "soon"}, controlapi.FaultRequest{}, false, "positive duration"},
		{[]string{"sever", "n5", "n6"}, controlapi.FaultRequest{Action: "sever", Peers: []string{"n5", "n6"}}, false, ""},
		{[]string{"sever", "n5,n6"}, controlapi.FaultRequest{Action: "sever", Peers: []string{"n5", "n6"}}, false, ""},
		{[]string{"sever"}, controlapi.FaultRequest{}, false, "needs replicas"},
		{[]string{"heal"}, controlapi.FaultRequest{Action: "heal"}, false, ""},
		{[]string{"heal", "n5"}, controlapi.FaultRequest{}, false, "no arguments"},
		{[]string{"clear"}, controlapi.FaultRequest{Action: "clear"}, false, ""},
		{[]string{"byzantine", "sign"}, controlapi.FaultRequest{Action: "byzantine", Attacks: []string{"sign"}}, false, ""},
		{[]string{"byzantine", "timing"}, controlapi.FaultRequest{Action: "byzantine", Attacks: []string{"time"}}, false, ""},
		{[]string{"byzantine", "time; dark(n6, n7)"}, controlapi.FaultRequest{Action: "byzantine", Attacks: []string{"time", "dark(n6, n7)"}}, false, ""},
		{[]string{"byzantine", "equivocation(n6,", "n7)", "crash"}, controlapi.FaultRequest{Action: "byzantine", Attacks: []string{"equivocation(n6, n7)", "crash"}}, false, ""},
		{[]string{"byzantine"}, controlapi.FaultRequest{}, false, "needs attacks"},
		{[]string{"explode"}, controlapi.FaultRequest{}, false, "unknown action"},
	} {
		req, show, err := faultRequest(tc.args)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || show != tc.show || !reflect.DeepEqual(req, tc.want) {
			t.Errorf("%q: %+v show=%v err=%v, want %+v show=%v", tc.args, req, show, err, tc.want, tc.show)
		}
	}
}

func TestStatusAndFaultErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir)
	// Nothing runs: every replica is down, in one table, and the exit status says so.
	code, out, stderr := runCLI(t, "status", "--config", cfg, "--timeout", "1s")
	if code != 1 || strings.Count(out, "down") != 7 || !strings.Contains(stderr, "7 of 7 replicas did not answer") {
		t.Errorf("status of a stopped cluster: %d\n%s%s", code, out, stderr)
	}
	wantOneLineError(t, "connection refused", "fault", "--config", cfg, "--node", "n2", "heal")
	wantOneLineError(t, "unknown replica", "fault", "--config", cfg, "--node", "n9", "heal")
	wantOneLineError(t, "--timeout", "status", "--config", cfg, "--timeout", "0s")
}

// TestStatusAndFaultDefaultConfig: without --config, status and fault read $PBFT_CONFIG, as
// pbft client and pbft cluster do, and say where they looked when nothing is there.
func TestStatusAndFaultDefaultConfig(t *testing.T) {
	cfg := writeConfig(t, t.TempDir())
	t.Setenv(configEnv, cfg)
	code, out, _ := runCLI(t, "status", "--timeout", "1s")
	if code != 1 || strings.Count(out, "down") != 7 {
		t.Errorf("status with $%s: %d\n%s", configEnv, code, out)
	}
	wantOneLineError(t, "unknown replica", "fault", "--node", "n9", "heal")
	t.Setenv(configEnv, filepath.Join(t.TempDir(), "missing.yaml"))
	wantOneLineError(t, "no cluster configuration", "status")
	wantOneLineError(t, "no cluster configuration", "fault", "--node", "n1", "heal")
}

func TestNodeAdminFlagErrors(t *testing.T) {
	cfg := writeConfig(t, t.TempDir())
	node := []string{"node", "--config", cfg, "--id", "n1"}
	wantOneLineError(t, "--admin-addr \"nowhere\": want host:port or off", append(node, "--admin-addr", "nowhere")...)
	wantOneLineError(t, "--log-level \"loud\"", append(node, "--log-level", "loud")...)
	wantOneLineError(t, "--allow-faults needs the admin endpoint", append(node, "--allow-faults", "--admin-addr", "off")...)
}
