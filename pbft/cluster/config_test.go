package cluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const fourReplicas = `f: 1
replicas:
  - {id: 1, addr: "127.0.0.1:6001"}
  - {id: 2, addr: "127.0.0.1:6002"}
  - {id: 3, addr: "127.0.0.1:6003"}
  - {id: 4, addr: "127.0.0.1:6004"}
key_dir: keys
`

func TestLoadFillsDefaultsAndResolvesKeyDir(t *testing.T) {
	p := write(t, fourReplicas+"timers: {view_change: 1s}\ncheckpoint_interval: 5\n")
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.N() != 4 || c.KeyDir != filepath.Join(filepath.Dir(p), "keys") || c.Scheme != "bls12381" {
		t.Fatalf("loaded %+v", c)
	}
	core := c.Core(2, nil)
	if core.ID != 2 || core.F != 1 || core.CheckpointInterval != 5 || core.ViewChangeTicks != int(time.Second/c.Timers.Tick) {
		t.Fatalf("core config %+v", core)
	}
	if c.Addrs()[3] != "127.0.0.1:6003" {
		t.Fatalf("addrs %v", c.Addrs())
	}
}

func TestLoadRejectsBadConfigurations(t *testing.T) {
	cases := map[string]string{
		"wrong replica count": "f: 2\nreplicas:\n  - {id: 1, addr: a}\n",
		"duplicate id":        strings.Replace(fourReplicas, "id: 4", "id: 3", 1),
		"id out of range":     strings.Replace(fourReplicas, "id: 4", "id: 9", 1),
		"missing address":     strings.Replace(fourReplicas, `addr: "127.0.0.1:6004"`, `addr: ""`, 1),
		"window below 2K":     fourReplicas + "checkpoint_interval: 10\nwindow: 15\n",
		"not yaml":            "f: [1\n",
		// Issue 15: each of these was accepted.
		"negative view_change":    fourReplicas + "timers: {view_change: -400ms}\n",
		"view_change below tick":  fourReplicas + "timers: {tick: 10ms, view_change: 5ms}\n",
		"negative resend":         fourReplicas + "timers: {resend: -1s}\n",
		"negative status":         fourReplicas + "timers: {status: -1s}\n",
		"negative fast_path":      fourReplicas + "timers: {fast_path: -1ms}\n",
		"negative client timer":   fourReplicas + "timers: {client: -1s}\n",
		"negative tick":           fourReplicas + "timers: {tick: -1ms}\n",
		"negative batch":          fourReplicas + "batch: {max_requests: -5}\n",
		"negative checkpoint":     fourReplicas + "checkpoint_interval: -10\n",
		"unknown scheme":          fourReplicas + "scheme: rsa\n",
		"duplicate address":       strings.Replace(fourReplicas, "6004", "6003", 1),
		"duplicate address, case": strings.Replace(strings.Replace(fourReplicas, `"127.0.0.1:6004"`, `"LOCALHOST:6001"`, 1), `"127.0.0.1:6001"`, `"localhost:6001"`, 1),
		"address without port":    strings.Replace(fourReplicas, "127.0.0.1:6004", "127.0.0.1", 1),
		"unknown role":            fourReplicas + "roles: {admin: [A]}\n",
		"bad teller name":         fourReplicas + "roles: {teller: [\"c 1\"]}\n",
		"bad owner":               fourReplicas + "accounts: [{name: A, owner: \"x y\", checking: 10}]\n",
		"bad account name":        fourReplicas + "accounts: [{name: \"A B\", checking: 10}]\n",
		"account listed twice":    fourReplicas + "accounts: [{name: A, checking: 10}, {name: A, checking: 1}]\n",
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(write(t, body)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestDefaultRoundTrip(t *testing.T) {
	c := Default(2, 5001)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := c.Save(p); err != nil {
		t.Fatal(err)
	}
	back, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if back.N() != 7 || back.Replicas[6].Addr != "127.0.0.1:5007" || back.Window != c.Window {
		t.Fatalf("round trip: %+v", back)
	}
}

// TestLoadErrorsNameTheProblem: the refusals of issue 15 say what is wrong.
func TestLoadErrorsNameTheProblem(t *testing.T) {
	for body, want := range map[string]string{
		fourReplicas + "timers: {view_change: -400ms}\n":                                                "timers.view_change -400ms must be at least one tick",
		fourReplicas + "timers: {leader_silence: 50ms}\n":                                               "timers.leader_silence 50ms must be at least timers.status (100ms)",
		strings.Replace(fourReplicas, "6004", "6003", 1):                                                "replicas 3 and 4 have the same address 127.0.0.1:6003",
		fourReplicas + "scheme: rsa\n":                                                                  `scheme "rsa": want bls12381 or bn256`,
		fourReplicas + "roles: {admin: [A]}\n":                                                          `unknown role "admin"`,
		strings.Replace(fourReplicas, `6002"}`, `6002", crypto_backend: openssl}`, 1):                   `replica 2: crypto backend "openssl": want gnark or circl`,
		strings.Replace(fourReplicas, `6002"}`, `6002", crypto_backend: circl}`, 1) + "scheme: bn256\n": "replica 2: crypto backend: circl implements bls12381 only, not bn256",
	} {
		_, err := Load(write(t, body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want %q", err, want)
		}
	}
}

func TestCheckKeysRefusesAnotherSchemeOrSize(t *testing.T) {
	keys, err := crypto.DealCluster(crypto.SchemeBLS12381, 4, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(write(t, fourReplicas))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckKeys(keys.Public); err != nil {
		t.Fatalf("matching keys refused: %v", err)
	}
	c.Scheme = crypto.SchemeBN256 // the "scheme: bn256" with BLS12-381 keys
	if err := c.CheckKeys(keys.Public); err == nil || !strings.Contains(err.Error(), "scheme bn256 but the keys") {
		t.Fatalf("scheme mismatch: %v", err)
	}
	seven, err := crypto.DealCluster(crypto.SchemeBLS12381, 7, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Scheme = crypto.SchemeBLS12381
	if err := c.CheckKeys(seven.Public); err == nil || !strings.Contains(err.Error(), "n=7 f=2") {
		t.Fatalf("size mismatch: %v", err)
	}
}

func TestNewBankOpensOwnersAndRoles(t *testing.T) {
	c, err := Load(write(t, fourReplicas+`accounts:
  - {name: A, checking: 10}
  - {name: pool, owner: B, checking: 5}
load_accounts: {count: 3, min: 1, max: 2, seed: 1}
roles: {teller: [c0]}
`))
	if err != nil {
		t.Fatal(err)
	}
	bank, err := c.NewBank()
	if err != nil {
		t.Fatal(err)
	}
	for account, want := range map[string]string{"A": "A", "pool": "B", "2": "2"} {
		if got, ok := bank.Owner(account); !ok || got != want || c.OwnerOf(account) != want {
			t.Errorf("owner of %s: bank %q, config %q; want %q", account, got, c.OwnerOf(account), want)
		}
	}
	if !bank.IsTeller("c0") || bank.IsTeller("A") {
		t.Fatalf("tellers %v", bank.Tellers())
	}
	pay := func(from string) smallbank.Op {
		return smallbank.Op{Kind: smallbank.OpSendPayment, Account: from, Dest: "A", Amount: 1}
	}
	for _, tc := range []struct {
		client string
		op     smallbank.Op
		ok     bool
	}{
		{"A", pay("A"), true}, {"B", pay("A"), false}, {"B", pay("pool"), true}, {"pool", pay("pool"), false},
		{"c0", pay("pool"), true}, {"B", smallbank.Op{Kind: smallbank.OpDepositChecking, Account: "A", Amount: 5}, true},
	} {
		err := c.Authorize(tc.client, tc.op)
		res := bank.ApplyAs(tc.client, tc.op)
		if (err == nil) != tc.ok || res.OK != tc.ok {
			t.Errorf("%s by %s: Authorize %v, replicas %+v; want allowed=%v", tc.op, tc.client, err, res, tc.ok)
		}
	}
}

// TestCryptoBackendPerReplica: crypto_backend is read per replica, and a replica without one
// runs the default, gnark.
func TestCryptoBackendPerReplica(t *testing.T) {
	body := strings.Replace(fourReplicas, `6003"}`, `6003", crypto_backend: circl}`, 1)
	body = strings.Replace(body, `6004"}`, `6004", crypto_backend: gnark}`, 1)
	c, err := Load(write(t, body))
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[pbft.NodeID]string{1: crypto.BackendGnark, 3: crypto.BackendCircl, 4: crypto.BackendGnark} {
		if got := c.BackendOf(id); got != want {
			t.Errorf("n%d: backend %q, want %q", id, got, want)
		}
	}
}

func TestAdminAddresses(t *testing.T) {
	c := Default(2, 5001)
	if got := c.AdminAddrOf(3); got != "127.0.0.1:6003" {
		t.Errorf("n3's admin address %q, want 127.0.0.1:6003", got)
	}
	c.Replicas[2].AdminAddr = "" // a configuration written before the field: derived
	c.Replicas[3].AdminAddr = AdminOff
	c.Replicas[4].AdminAddr = "10.0.0.5:9100"
	if a, b, d := c.AdminAddrOf(3), c.AdminAddrOf(4), c.AdminAddrOf(5); a != "127.0.0.1:6003" || b != "" || d != "10.0.0.5:9100" {
		t.Errorf("admin addresses %q %q %q", a, b, d)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("valid admin addresses refused: %v", err)
	}
	if DerivedAdminAddr("127.0.0.1:65000") != "" || DerivedAdminAddr("nohost") != "" {
		t.Error("a derived admin port beyond 65535, or of an address without a port")
	}
	for _, tc := range []struct{ addr, want string }{
		{"127.0.0.1:6001", "same admin address"},
		{"127.0.0.1:5002", "protocol address of replica 2"},
		{"localhost", "want host:port"},
	} {
		c := Default(2, 5001)
		c.Replicas[1].AdminAddr = tc.addr
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("admin_addr %q: %v, want %q", tc.addr, err, tc.want)
		}
	}
}
