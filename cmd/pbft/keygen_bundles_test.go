package main

import (
	"bytes"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft/cluster"
)

// writeBundlesForTest deals a new cluster on loopback into per-host bundles only (no --out).
func writeBundlesForTest(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	code, stdout, stderr := runCLI(t, "keygen", "--config", filepath.Join(dir, "cluster.yaml"),
		"--bundles", filepath.Join(dir, "b"), "--base-port", itoa(freePorts(t, 7)))
	if code != 0 || !strings.Contains(stdout, "wrote bundles to") {
		t.Fatalf("keygen --bundles: status %d, %q %q", code, stdout, stderr)
	}
	return dir
}

// bundleFiles lists a bundle's files (relative) with their modes.
func bundleFiles(t *testing.T, root string) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = info.Mode().Perm()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestKeygenBundlesHoldOneSecretEach: host i's bundle holds the configuration, the public
// keys and replica i's secret, with restrictive modes, and no byte of another replica's or
// a client's secret; the clients' bundle holds no replica secret.
func TestKeygenBundlesHoldOneSecretEach(t *testing.T) {
	dir := writeBundlesForTest(t)
	b := filepath.Join(dir, "b")
	var secrets []string // hex of every secret value, replica i's at i-1
	for id := 1; id <= 7; id++ {
		s, err := crypto.ReadReplicaSecret(filepath.Join(b, "n"+itoa(id), "keys"), id)
		if err != nil {
			t.Fatalf("bundle n%d: %v", id, err)
		}
		secrets = append(secrets, hex.EncodeToString(s.Ed25519.Seed()))
	}
	for id := 1; id <= 7; id++ {
		name := "n" + itoa(id)
		got := bundleFiles(t, filepath.Join(b, name))
		want := map[string]fs.FileMode{".": 0o700, "cluster.yaml": 0o644, "keys": 0o700,
			"keys/public.json": 0o644, "keys/" + name + ".json": 0o600}
		if len(got) != len(want) {
			t.Errorf("bundle %s holds %v, want exactly %v", name, got, want)
		}
		for f, m := range want {
			if got[f] != m {
				t.Errorf("bundle %s: %s has mode %04o, want %04o", name, f, got[f], m)
			}
		}
		all := readAll(t, filepath.Join(b, name))
		for other, seed := range secrets {
			if other+1 != id && strings.Contains(all, seed) {
				t.Errorf("bundle %s holds n%d's secret", name, other+1)
			}
		}
		cfg, err := cluster.Load(filepath.Join(b, name, "cluster.yaml"))
		if err != nil || cfg.KeyDir != filepath.Join(b, name, "keys") {
			t.Errorf("bundle %s: configuration %v, key_dir %q", name, err, cfg.KeyDir)
		}
	}
	clients := readAll(t, filepath.Join(b, "clients"))
	for id, seed := range secrets {
		if strings.Contains(clients, seed) {
			t.Errorf("the clients' bundle holds n%d's secret", id+1)
		}
	}
	if _, err := crypto.ReadClientKey(filepath.Join(b, "clients", "keys"), "A"); err != nil {
		t.Errorf("clients' bundle: %v", err)
	}
	wantOneLineError(t, "already holds bundles", "keygen", "--config", filepath.Join(dir, "cluster.yaml"), "--bundles", b)
	wantOneLineError(t, "--out or --bundles is required", "keygen", "--config", filepath.Join(dir, "cluster.yaml"))
}

// readAll concatenates every file under root.
func readAll(t *testing.T, root string) string {
	t.Helper()
	var all strings.Builder
	for f := range bundleFiles(t, root) {
		if b, err := os.ReadFile(filepath.Join(root, f)); err == nil {
			all.Write(b)
		}
	}
	return all.String()
}

// TestEndToEndClusterFromBundles starts each replica from its own bundle only (as on seven
// hosts) and a client from the clients' bundle: the bundles are complete.
func TestEndToEndClusterFromBundles(t *testing.T) {
	bin := pbftBinary(t)
	b := filepath.Join(writeBundlesForTest(t), "b")
	for id := 1; id <= 7; id++ {
		args := []string{"node", "--config", filepath.Join(b, "n"+itoa(id), "cluster.yaml"), "--id", "n" + itoa(id)}
		startNodeProcess(t, bin, args, func(logs string) {
			if strings.Contains(logs, "secret key file") {
				t.Errorf("n%d warned about its key file: %s", id, logs)
			}
		})
	}
	cmd := exec.Command(bin, "client", "--config", filepath.Join(b, "clients", "cluster.yaml"), "transfer", "A", "B", "3")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := runWithin(cmd, 30*time.Second); err != nil || !strings.Contains(out.String(), "committed, ok") {
		t.Fatalf("pbft client from the clients' bundle: %v: %s", err, out.String())
	}
	for id := 1; id <= 7; id++ {
		data, err := os.ReadDir(filepath.Join(b, "n"+itoa(id), "data", "n"+itoa(id)))
		if err != nil || len(data) == 0 {
			t.Errorf("n%d has no data directory beside its bundle's configuration: %v", id, err)
		}
	}
}

// TestReplicaHostsErrorsAreOneLine: bad placements are refused before anything starts.
func TestReplicaHostsErrorsAreOneLine(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir)
	csv := filepath.Join(dir, "s.csv")
	if err := os.WriteFile(csv, []byte("1,\"(A, B, 1)\",[n1],[],[]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantOneLineError(t, "--replica-hosts: 2 replica hosts for 7 replicas", "--test", csv, "--replica-hosts", "10.0.0.1,10.0.0.2")
	wantOneLineError(t, "--replica-hosts: 2 replica hosts for 7 replicas", "bench", "--replica-hosts", "10.0.0.1,10.0.0.2")
	wantOneLineError(t, "place a local cluster", "bench", "--config", cfg, "--replica-exec", "ip netns exec x%d")
	wantOneLineError(t, "--replica-hosts applies to a new configuration only", "keygen", "--config", cfg, "--out", filepath.Join(dir, "k2"), "--replica-hosts", "a,b,c,d,e,f,g")
	wantOneLineError(t, "replica host 3", "keygen", "--config", filepath.Join(dir, "new.yaml"), "--out", filepath.Join(dir, "k3"), "--replica-hosts", "a,b,:1,d,e,f,g")
}
