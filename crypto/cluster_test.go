package crypto

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDealCluster(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		keys, err := dealClusterOn(scheme, 7, 2, []byte("cluster"))
		if err != nil {
			t.Fatal(err)
		}
		p := keys.Public
		if p.Tau.T() != 5 || p.Tau.N() != 7 || p.Sigma.T() != 7 || p.Sigma.N() != 7 {
			t.Fatalf("τ is %d of %d, σ is %d of %d", p.Tau.T(), p.Tau.N(), p.Sigma.T(), p.Sigma.N())
		}
		seen := map[VerifyKey]bool{}
		var tau, sigma []Share
		for _, r := range keys.Replicas {
			if err := p.CheckReplica(r); err != nil {
				t.Fatal(err)
			}
			seen[r.Ed25519.Public()] = true
			ts, _ := r.Tau.Sign(msg1)
			ss, _ := r.Sigma.Sign(msg1)
			tau, sigma = append(tau, ts), append(sigma, ss)
		}
		if len(seen) != 7 {
			t.Fatal("replica Ed25519 keys are not distinct")
		}
		if _, _, err := CombineOptimistic(p.Tau, msg1, tau[2:]); err != nil {
			t.Fatalf("τ from 2f+1 shares: %v", err)
		}
		if _, _, err := CombineOptimistic(p.Sigma, msg1, sigma); err != nil {
			t.Fatalf("σ from n shares: %v", err)
		}
		sigSig, _ := p.Sigma.Combine(msg1, sigma)
		if p.Tau.Verify(msg1, sigSig) == nil {
			t.Fatal("a σ signature verifies under τ")
		}
		again, _ := dealClusterOn(scheme, 7, 2, []byte("cluster"))
		a, _ := p.Tau.MarshalBinary()
		b, _ := again.Public.Tau.MarshalBinary()
		if !bytes.Equal(a, b) || again.Replicas[3].Ed25519.Public() != keys.Replicas[3].Ed25519.Public() {
			t.Fatal("DealCluster is not deterministic for a seed")
		}
		swapped := *keys.Replicas[1]
		swapped.ID = 3
		if p.CheckReplica(&swapped) == nil {
			t.Fatal("CheckReplica accepted replica 2's keys as replica 3")
		}
	})
	for _, c := range []struct{ n, f int }{{6, 2}, {0, 0}, {4, -1}} {
		if _, err := DealCluster(SchemeBLS12381, c.n, c.f, nil); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("DealCluster(n=%d, f=%d): %v, want ErrInvalidParams", c.n, c.f, err)
		}
	}
}

func TestKeyDirRoundTrip(t *testing.T) {
	forEachScheme(t, func(t *testing.T, scheme string) {
		keys, err := dealClusterOn(scheme, 4, 1, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := keys.AddClients([]byte("clients"), "A", "B", "c17"); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "keys")
		if err := keys.WriteDir(dir); err != nil {
			t.Fatal(err)
		}
		for name, mode := range map[string]os.FileMode{PublicFileName: 0o644, ReplicaFileName(2): 0o600, ClientFileName("A"): 0o600} {
			st, err := os.Stat(filepath.Join(dir, name))
			if err != nil || st.Mode().Perm() != mode {
				t.Errorf("%s: %v mode %v, want %v", name, err, st.Mode().Perm(), mode)
			}
		}
		back, err := ReadClusterKeys(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range [][2]ThresholdPublic{{keys.Public.Tau, back.Public.Tau}, {keys.Public.Sigma, back.Public.Sigma}} {
			a, _ := pair[0].MarshalBinary()
			b, _ := pair[1].MarshalBinary()
			if !bytes.Equal(a, b) {
				t.Fatal("threshold public key changed on disk")
			}
		}
		if back.Public.Scheme != schemeOf(scheme) || back.Public.N != 4 || back.Public.F != 1 {
			t.Fatalf("header changed: %+v", back.Public)
		}
		for i, r := range back.Replicas {
			if r.Ed25519.Public() != keys.Replicas[i].Ed25519.Public() {
				t.Fatalf("replica %d Ed25519 key changed on disk", i+1)
			}
		}
		if len(back.Clients) != 3 || back.Clients["c17"].Public() != keys.Clients["c17"].Public() {
			t.Fatal("client keys changed on disk")
		}
		if back.Public.Clients["B"] != keys.Clients["B"].Public() {
			t.Fatal("client public key changed on disk")
		}
	})
}

func TestKeyDirRejects(t *testing.T) {
	keys, err := DealCluster(SchemeBLS12381, 4, 1, []byte("rejects"))
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.AddClients(nil, "../evil"); !errors.Is(err, ErrInvalidParams) {
		t.Errorf("client name with a path: %v", err)
	}
	other, _ := DealCluster(SchemeBLS12381, 4, 1, []byte("other"))
	cases := []struct {
		name   string
		damage func(dir string)
	}{
		{"missing public file", func(dir string) { os.Remove(filepath.Join(dir, PublicFileName)) }},
		{"missing replica file", func(dir string) { os.Remove(filepath.Join(dir, ReplicaFileName(3))) }},
		{"public file is not JSON", func(dir string) { os.WriteFile(filepath.Join(dir, PublicFileName), []byte("{"), 0o644) }},
		{"wrong format", func(dir string) { rewrite(dir, PublicFileName, `"pbft-keys/v1"`, `"pbft-keys/v0"`) }},
		{"scheme changed", func(dir string) { rewrite(dir, PublicFileName, `"bls12381"`, `"bn256"`) }},
		{"replica file of another cluster", func(dir string) {
			odir := filepath.Join(dir, "other")
			other.WriteDir(odir)
			b, _ := os.ReadFile(filepath.Join(odir, ReplicaFileName(2)))
			os.WriteFile(filepath.Join(dir, ReplicaFileName(2)), b, 0o600)
		}},
		{"replica file under another name", func(dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, ReplicaFileName(1)))
			os.WriteFile(filepath.Join(dir, ReplicaFileName(2)), b, 0o600)
		}},
	}
	for _, c := range cases {
		dir := t.TempDir()
		if err := keys.WriteDir(dir); err != nil {
			t.Fatal(err)
		}
		c.damage(dir)
		_, err := ReadClusterKeys(dir)
		if err == nil {
			t.Errorf("%s: ReadClusterKeys accepted it", c.name)
		}
		t.Logf("%s: %v", c.name, err)
	}
}

func rewrite(dir, name, old, repl string) {
	path := filepath.Join(dir, name)
	b, _ := os.ReadFile(path)
	os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(repl), 1), 0o644)
}
