package main

import (
	"bytes"
	"io"
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft/cluster"
)

// runCLI runs the command line in-process and returns its status and outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// wantOneLineError checks a failed command: non-zero status, one stderr line containing want.
func wantOneLineError(t *testing.T, want string, args ...string) {
	t.Helper()
	code, _, stderr := runCLI(t, args...)
	if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) ||
		strings.Contains(stderr, "goroutine") {
		t.Errorf("pbft %s: status %d, stderr %q; want one error line containing %q", strings.Join(args, " "), code, stderr, want)
	}
}

func TestErrorsAreOneLine(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("1,\"(A, B, 1)\",[n1],[],[]\n,\"(A, B\",,,\n"), 0o644)
	cfg := writeConfig(t, dir)
	wantOneLineError(t, "unknown flag: --bogus", "--bogus")
	wantOneLineError(t, "unknown command", "frobnicate")
	wantOneLineError(t, "nope.csv", "--test", filepath.Join(dir, "nope.csv"))
	wantOneLineError(t, "bad.csv:2:", "--test", bad)
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("1,\"(A, B, 1)\",[n1],[],[]\n"), 0o644)
	wantOneLineError(t, "report: open", "--test", good, "--report", filepath.Join(dir, "no", "dir", "r.json"))
	wantOneLineError(t, `required flag(s) "config", "id" not set`, "node")
	wantOneLineError(t, "no-such.yaml", "node", "--config", filepath.Join(dir, "no-such.yaml"), "--id", "n1")
	wantOneLineError(t, `unknown replica "n9"`, "node", "--config", cfg, "--id", "n9")
	wantOneLineError(t, `--log-format "xml"`, "node", "--config", cfg, "--id", "n1", "--log-format", "xml")
	wantOneLineError(t, `--crypto-backend: crypto backend "openssl": want gnark or circl`, "node", "--config", cfg, "--id", "n1", "--crypto-backend", "openssl")
	wantOneLineError(t, "invalid argument", "client", "--config", cfg, "--timeout", "soon", "balance", "A")
	wantOneLineError(t, `operation "frobnicate A"`, "client", "--config", cfg, "frobnicate", "A")
	wantOneLineError(t, "--duration must be positive", "bench", "--duration", "0s")
	wantOneLineError(t, `--byzantine "n7"`, "bench", "--byzantine", "n7")
	wantOneLineError(t, `unknown replica "n9"`, "bench", "--down", "n9")
	wantOneLineError(t, "--hotspot-prob in [0, 1]", "bench", "--hotspot-accounts", "10", "--hotspot-prob", "NaN")
	wantOneLineError(t, "--hotspot-accounts 1000: more than the 100 accounts", "bench", "--hotspot-accounts", "1000", "--accounts", "100")
	wantOneLineError(t, "--compare: open", "bench", "--compare", filepath.Join(dir, "none.csv"))
	wantOneLineError(t, "--clients 0: want 1..10000", "bench", "--clients", "0")
	wantOneLineError(t, "--timeout -1s: want a positive duration", "client", "--config", cfg, "--timeout", "-1s", "balance", "A")
	wantOneLineError(t, "accounts 1: want 2..1000000", "smallbank", "gen", "--accounts", "1")
	wantOneLineError(t, "at most 1000000 rows in all", "smallbank", "gen", "--sets", "100000000")
	wantOneLineError(t, "--base-port 0: the 7 replicas need ports 0..6", "--test", good, "--base-port", "0")
	wantOneLineError(t, "--base-port -1", "--test", good, "--base-port", "-1")
	wantOneLineError(t, "--base-port 0", "bench", "--base-port", "0")
	wantOneLineError(t, "--base-port 70000", "keygen", "--config", filepath.Join(dir, "new.yaml"), "--out", filepath.Join(dir, "k2"), "--base-port", "70000")
}

func TestHelpExplainsFlagsWithDefaults(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"--test FILE", "--non-interactive", "--report OUT.json", "(default 5001)"}},
		{[]string{"node", "--help"}, []string{"--config file", "--control", `(default "console")`}},
		{[]string{"keygen", "--help"}, []string{"--scheme", "--clients names", "(default [A,B,C,D,E,F,G,H,I,J])", "does not exist"}},
		{[]string{"client", "--help"}, []string{"--key-dir", "(default 10s)", "transfer A B 3"}},
		{[]string{"bench", "--help"}, []string{"--sweep-clients", "(default 100000)", "(default 20s)", "--byzantine"}},
		{[]string{"smallbank", "gen", "--help"}, []string{"--faults", "(default 20)"}},
		{[]string{"cluster", "--help"}, []string{"pbft cluster up", "run/n3.log", "down", "ps"}},
		{[]string{"cluster", "up", "--help"}, []string{"--base-port", "(default 5001)", "--ephemeral", "(default 30s)"}},
		{[]string{"client", "--help"}, []string{"--json", "PBFT_CONFIG", "negative amount"}},
	} {
		code, stdout, _ := runCLI(t, tc.args...)
		for _, w := range tc.want {
			if code != 0 || !strings.Contains(stdout, w) {
				t.Errorf("pbft %s: status %d, output lacks %q:\n%s", strings.Join(tc.args, " "), code, w, stdout)
			}
		}
	}
}

func TestKeygenWritesConfigurationAndKeys(t *testing.T) {
	dir := t.TempDir()
	cfgPath, keyDir := filepath.Join(dir, "cluster.yaml"), filepath.Join(dir, "keys")
	code, stdout, stderr := runCLI(t, "keygen", "--config", cfgPath, "--out", keyDir, "--clients", "A,B,zed")
	if code != 0 {
		t.Fatalf("keygen: %d %s", code, stderr)
	}
	if !strings.Contains(stdout, "wrote default configuration") {
		t.Errorf("output %q", stdout)
	}
	cfg, err := cluster.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.N() != 7 || cfg.KeyDir != keyDir || len(cfg.Accounts) != 3 || cfg.Accounts[2].Name != "zed" || cfg.Replicas[0].Addr != "127.0.0.1:5001" {
		t.Fatalf("configuration %+v", cfg)
	}
	pub, err := crypto.ReadClusterPublic(keyDir)
	if err != nil {
		t.Fatal(err)
	}
	if pub.N != 7 || pub.Scheme != crypto.SchemeBLS12381 || len(pub.Clients) != 3 {
		t.Fatalf("public keys n=%d scheme=%s clients=%d", pub.N, pub.Scheme, len(pub.Clients))
	}
	secret, err := crypto.ReadReplicaSecret(keyDir, 7)
	if err != nil || pub.CheckReplica(secret) != nil {
		t.Fatalf("replica 7 keys: %v", err)
	}
	wantOneLineError(t, "use --force", "keygen", "--config", cfgPath, "--out", keyDir)
	// Keys of another scheme than the configuration's would not work with it (issue 15).
	wantOneLineError(t, "--scheme bn256, but", "keygen", "--config", cfgPath, "--out", keyDir, "--force", "--scheme", "bn256")
	cfg.Scheme = crypto.SchemeBN256
	cfg.KeyDir = "keys"
	if err := cfg.Save(cfgPath); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, "keygen", "--config", cfgPath, "--out", keyDir, "--force")
	if code != 0 || strings.Contains(stdout, "wrote default configuration") {
		t.Fatalf("second keygen: %d %q %q", code, stdout, stderr)
	}
	if pub, err := crypto.ReadClusterPublic(keyDir); err != nil || pub.Scheme != crypto.SchemeBN256 {
		t.Fatalf("rewritten keys: %v", err)
	}
}

func TestParseOperation(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"transfer", "A", "B", "3"}, "SendPayment(A, B, 3)"},
		{[]string{"balance", "A"}, "Balance(A)"},
		{[]string{"SendPayment(A,", "B,", "3)"}, "SendPayment(A, B, 3)"},
		{[]string{"(E)"}, "Balance(E)"},
		{[]string{"transactsavings", "A", "-3"}, "TransactSavings(A, -3)"},
		{[]string{"amalgamate", "A", "B"}, "Amalgamate(A, B)"},
	} {
		op, err := parseOperation(tc.args)
		if err != nil || op.String() != tc.want {
			t.Errorf("parseOperation(%q) = %v, %v; want %s", tc.args, op, err, tc.want)
		}
	}
}

// writeConfig writes a cluster configuration with keys, on free ports, and returns its path.
func writeConfig(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "cluster.yaml")
	code, _, stderr := runCLI(t, "keygen", "--config", path, "--out", filepath.Join(dir, "keys"),
		"--base-port", itoa(freePorts(t, 7)))
	if code != 0 {
		t.Fatalf("keygen: %s", stderr)
	}
	return path
}

// freePorts finds n consecutive loopback ports that are free now, and the n admin ports
// cluster.AdminPortOffset above them, and returns the first.
func freePorts(t *testing.T, n int) int {
	t.Helper()
	// Ports below the kernel's ephemeral range (32768 and up here), so that no outgoing
	// connection of a replica or client takes a port before the replica that owns it binds.
	const lo, hi = 20000, 32000 - cluster.AdminPortOffset
	for attempt := 0; attempt < 200; attempt++ {
		base := lo + rand.Intn(hi-lo-n)
		ok := true
		for p := base; p < base+n && ok; p++ {
			for _, port := range []int{p, p + cluster.AdminPortOffset} {
				l, err := net.Listen("tcp", "127.0.0.1:"+itoa(port))
				if err != nil {
					ok = false
					break
				}
				l.Close()
			}
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range")
	return 0
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestKeygenRefusesFlagsThatContradictTheConfiguration: `keygen --f 1` on an f = 2
// configuration used to deal f = 2 keys silently (issue 15).
func TestKeygenRefusesFlagsThatContradictTheConfiguration(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir)
	out := filepath.Join(dir, "k2")
	wantOneLineError(t, "--f 1, but", "keygen", "--config", cfg, "--out", out, "--f", "1")
	wantOneLineError(t, "--base-port applies to a new configuration only", "keygen", "--config", cfg, "--out", out, "--base-port", "7001")
	wantOneLineError(t, "does not grant them the teller role", "keygen", "--config", cfg, "--out", out, "--tellers", "c0")
	if code, _, stderr := runCLI(t, "keygen", "--config", cfg, "--out", out, "--f", "2"); code != 0 {
		t.Fatalf("--f agreeing with the configuration refused: %s", stderr)
	}
}

func TestKeygenTellersAreGrantedTheRole(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "cluster.yaml")
	code, stdout, stderr := runCLI(t, "keygen", "--config", cfgPath, "--out", filepath.Join(dir, "keys"), "--tellers", "c0,c1")
	if code != 0 || !strings.Contains(stdout, "tellers: c0,c1") {
		t.Fatalf("keygen: %d %q %q", code, stdout, stderr)
	}
	cfg, err := cluster.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.HasRole("c1", "teller") || cfg.HasRole("A", "teller") || len(cfg.Accounts) != 10 {
		t.Fatalf("roles %v, %d accounts", cfg.Roles, len(cfg.Accounts))
	}
	if _, err := crypto.ReadClientKey(filepath.Join(dir, "keys"), "c1"); err != nil {
		t.Fatal(err)
	}
}

// TestNodeChecksItsKeys: a configuration whose scheme is not its keys' is refused (the field
// used to be ignored), and a secret key file readable by others draws a warning.
func TestNodeChecksItsKeys(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, dir)
	cfg, err := cluster.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(cfg.KeyDir, crypto.ReplicaFileName(1))
	var stderr bytes.Buffer
	fl := nodeFlags{config: path, id: "n1"}
	if _, err := fl.options(nil, io.Discard, &stderr); err != nil || stderr.Len() != 0 {
		t.Fatalf("options: %v, stderr %q", err, stderr.String())
	}
	if err := os.Chmod(secret, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fl.options(nil, io.Discard, &stderr); err != nil || !strings.Contains(stderr.String(), "warning: secret key file") || !strings.Contains(stderr.String(), "chmod 600") {
		t.Fatalf("no warning for a 0644 secret: %v, stderr %q", err, stderr.String())
	}
	fl.backend = crypto.BackendCircl
	if opts, err := fl.options(nil, io.Discard, io.Discard); err != nil || opts.CryptoBackend != crypto.BackendCircl {
		t.Fatalf("--crypto-backend circl: %v, options carry %q", err, opts.CryptoBackend)
	}
	cfg.Scheme = crypto.SchemeBN256
	cfg.KeyDir = "keys"
	if err := cfg.Save(path); err != nil {
		t.Fatal(err)
	}
	wantOneLineError(t, "says scheme bn256 but the keys", "node", "--config", path, "--id", "n1")
	wantOneLineError(t, "--crypto-backend: crypto backend: circl implements bls12381 only", "node", "--config", path, "--id", "n1", "--crypto-backend", "circl")
	wantOneLineError(t, "says scheme bn256 but the keys", "client", "--config", path, "balance", "A")
}

// TestClientRefusesLocallyWhatItsKeyMayNotDo: B's key may not spend from A's account; the
// client says so without sending (no replica runs here) unless --force is given.
func TestClientRefusesLocallyWhatItsKeyMayNotDo(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir)
	wantOneLineError(t, "not sent: client B may not debit account A: only its owner A or a teller may", "client", "--config", cfg, "--id", "B", "transfer", "A", "B", "5")
	wantOneLineError(t, "client J may not debit account C", "client", "--config", cfg, "--id", "J", "amalgamate", "C", "J")
	wantOneLineError(t, "client B may not debit account A", "client", "--config", cfg, "--id", "B", "TransactSavings(A, -1)")
	// Allowed operations get past the check and fail only for lack of replicas.
	for _, args := range [][]string{{"--id", "B", "depositchecking", "A", "5"}, {"--id", "B", "transfer", "B", "A", "1"}, {"--id", "B", "--force", "transfer", "A", "B", "5"}} {
		code, _, stderr := runCLI(t, append([]string{"client", "--config", cfg, "--timeout", "200ms"}, args...)...)
		if code == 0 || strings.Contains(stderr, "not sent") || !strings.Contains(stderr, "not committed") {
			t.Errorf("client %v: status %d, stderr %q; want a timeout", args, code, stderr)
		}
	}
}

// waitListening waits until every replica of the configuration accepts TCP connections, so
// that a test's first client request does not race the replicas' start.
func waitListening(t *testing.T, cfgPath string) {
	t.Helper()
	cfg, err := cluster.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, r := range cfg.Replicas {
		for {
			conn, err := net.DialTimeout("tcp", r.Addr, time.Second)
			if err == nil {
				conn.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("n%d does not listen on %s after 60 s: %v", r.ID, r.Addr, err)
			}
			<-time.After(50 * time.Millisecond) // poll until the deadline
		}
	}
}
