package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestProtectNegativeAmounts(t *testing.T) {
	root := newRootCommand(strings.NewReader(""), nil, nil)
	for _, tc := range []struct{ in, want string }{
		{"client --config c.yaml transfer A B -5", "client --config c.yaml -- transfer A B -5"},
		{"client transfer A B -5 --timeout 2s --json", "client --timeout 2s --json -- transfer A B -5"},
		{"client --timeout=2s transactsavings A -3", "client --timeout=2s -- transactsavings A -3"},
		{"client --config c.yaml transfer A B 5", "client --config c.yaml transfer A B 5"},
		{"client -- transfer A B -5", "client -- transfer A B -5"},
		{"client --id -5 balance A", "client --id -5 balance A"},
		{"bench --clients -5", "bench --clients -5"},
	} {
		got := strings.Join(protectNegativeAmounts(root, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("%q -> %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestClientRefusesBadOperationsLocally(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir)
	wantOneLineError(t, "not sent: SendPayment(A, B, -5): negative amount -5", "client", "--config", cfg, "transfer", "A", "B", "-5")
	wantOneLineError(t, "negative amount -2", "client", "transfer", "A", "B", "-2", "--config", cfg)
	wantOneLineError(t, "DepositChecking(C, -1): negative amount", "client", "--config", cfg, "depositchecking", "C", "-1")
	wantOneLineError(t, "unknown account Z: the configuration opens A, B, C", "client", "--config", cfg, "transfer", "A", "Z", "1")
	wantOneLineError(t, "unknown account Q", "client", "--config", cfg, "--id", "A", "balance", "Q")
	wantOneLineError(t, "unknown client Z: the cluster's keys", "client", "--config", cfg, "--id", "Z", "depositchecking", "A", "1")
	if err := os.Remove(filepath.Join(dir, "keys", "client-C.json")); err != nil {
		t.Fatal(err)
	}
	wantOneLineError(t, "no private key for client C: "+filepath.Join(dir, "keys", "client-C.json")+" does not exist", "client", "--config", cfg, "balance", "C")
}

func TestClientFailsFastWithoutReplicas(t *testing.T) {
	cfg := writeConfig(t, t.TempDir()) // nothing listens on its ports
	start := time.Now()
	code, stdout, stderr := runCLI(t, "client", "--config", cfg, "--timeout", "30s", "--json", "transfer", "A", "B", "1")
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v with no replica up, want an answer well before the 30 s timeout", took)
	}
	if code != 1 || !strings.Contains(stderr, "no replica is reachable") || !strings.Contains(stderr, "connection refused") ||
		strings.Count(stderr, "\n") != 1 {
		t.Errorf("status %d, stderr %q; want 1 and one line saying no replica is reachable (connection refused)", code, stderr)
	}
	var res clientResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.Outcome != "not-committed" ||
		res.Operation != "SendPayment(A, B, 1)" || !strings.Contains(res.Error, "connection refused") ||
		!strings.HasPrefix(res.Result, "no replica is reachable") || !strings.Contains(res.Result, "connection refused") {
		t.Errorf("--json printed %q (%v), want a not-committed object", stdout, err)
	}
}

func TestClientDefaultConfigPath(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir)
	t.Chdir(t.TempDir())
	t.Setenv(configEnv, "")
	wantOneLineError(t, "no cluster configuration: cluster.yaml does not exist (pass --config FILE or set PBFT_CONFIG", "client", "balance", "A")
	wantOneLineError(t, "no-such.yaml", "client", "--config", "no-such.yaml", "balance", "A")
	// $PBFT_CONFIG names the file: the client gets as far as the (absent) replicas.
	t.Setenv(configEnv, cfg)
	code, _, stderr := runCLI(t, "client", "balance", "A")
	if code != 1 || !strings.Contains(stderr, "no replica is reachable") {
		t.Errorf("with %s=%s: status %d, stderr %q; want it to use that file", configEnv, cfg, code, stderr)
	}
	// ./cluster.yaml is the default without the variable.
	t.Setenv(configEnv, "")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := filepath.Abs(filepath.Join(dir, "keys"))
	text := strings.ReplaceAll(string(b), "key_dir: keys", "key_dir: "+keys)
	if err := os.WriteFile("cluster.yaml", []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "client", "balance", "A")
	if code != 1 || !strings.Contains(stderr, "no replica is reachable") {
		t.Errorf("with ./cluster.yaml: status %d, stderr %q; want it to use that file", code, stderr)
	}
}

func TestClientJSONFieldsMatchTheReport(t *testing.T) {
	b, err := json.Marshal(clientResult{Operation: "Balance(A)", Outcome: "committed", Result: "ok", Value: new(int64), ReadOnly: true, LatencyMS: 1})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"latency_ms", "operation", "outcome", "read_only", "result", "value"}; !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}
