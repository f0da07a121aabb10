package crypto

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// ReadClusterPublic reads DIR/public.json.
func ReadClusterPublic(dir string) (*ClusterPublic, error) {
	path := filepath.Join(dir, PublicFileName)
	var pf publicFile
	if err := readJSON(path, &pf); err != nil {
		return nil, err
	}
	pub, err := pf.parse()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pub, nil
}

func (pf *publicFile) parse() (*ClusterPublic, error) {
	if pf.N < 1 || pf.N > MaxParties || pf.F < 0 || pf.N < 3*pf.F+1 || len(pf.Replicas) != pf.N {
		return nil, fmt.Errorf("%w: n=%d f=%d with %d replica keys", ErrInvalidParams, pf.N, pf.F, len(pf.Replicas))
	}
	tau, err := parsePublicHex(pf.Scheme, pf.Tau, 2*pf.F+1, pf.N)
	if err != nil {
		return nil, fmt.Errorf("tau: %w", err)
	}
	sigma, err := parsePublicHex(pf.Scheme, pf.Sigma, pf.N, pf.N)
	if err != nil {
		return nil, fmt.Errorf("sigma: %w", err)
	}
	clients := pf.Clients
	if clients == nil {
		clients = map[string]VerifyKey{}
	}
	return &ClusterPublic{Scheme: pf.Scheme, N: pf.N, F: pf.F, Tau: tau, Sigma: sigma,
		Replicas: pf.Replicas, Clients: clients, expanded: &keyCache{}}, nil
}

// parsePublicHex decodes a threshold public key and checks it has the expected t and n.
func parsePublicHex(scheme, s string, t, n int) (ThresholdPublic, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	pub, err := UnmarshalPublic(scheme, b)
	if err != nil {
		return nil, err
	}
	if pub.T() != t || pub.N() != n {
		return nil, fmt.Errorf("%w: key is %d of %d, want %d of %d", ErrInvalidParams, pub.T(), pub.N(), t, n)
	}
	return pub, nil
}

// ReadReplicaSecret reads replica id's private key file from dir. Check it against the public
// file with ClusterPublic.CheckReplica.
func ReadReplicaSecret(dir string, id int) (*ReplicaSecret, error) {
	path := filepath.Join(dir, ReplicaFileName(id))
	var rf replicaFile
	if err := readJSON(path, &rf); err != nil {
		return nil, err
	}
	s, err := rf.parse()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.ID != id {
		return nil, fmt.Errorf("%s: %w: holds replica %d", path, ErrMalformed, s.ID)
	}
	return s, nil
}

func (rf *replicaFile) parse() (*ReplicaSecret, error) {
	ed, err := parseSeedHex(rf.Ed25519)
	if err != nil {
		return nil, err
	}
	tau, err := parseSignerHex(rf.Scheme, rf.Tau)
	if err != nil {
		return nil, fmt.Errorf("tau: %w", err)
	}
	sigma, err := parseSignerHex(rf.Scheme, rf.Sigma)
	if err != nil {
		return nil, fmt.Errorf("sigma: %w", err)
	}
	if tau.Index() != rf.ID || sigma.Index() != rf.ID {
		return nil, fmt.Errorf("%w: share indices %d and %d for replica %d", ErrMalformed, tau.Index(), sigma.Index(), rf.ID)
	}
	return &ReplicaSecret{ID: rf.ID, Ed25519: ed, Tau: tau, Sigma: sigma}, nil
}

func parseSignerHex(scheme, s string) (ThresholdSigner, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return UnmarshalSigner(scheme, b)
}

func parseSeedHex(s string) (*SigningKey, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != SeedSize {
		return nil, fmt.Errorf("%w: ed25519 seed", ErrMalformed)
	}
	return GenerateSigningKey(b)
}

// ReadClientKey reads client name's private key file from dir.
func ReadClientKey(dir, name string) (*SigningKey, error) {
	if !validClientName(name) {
		return nil, fmt.Errorf("%w: client name %q", ErrInvalidParams, name)
	}
	path := filepath.Join(dir, ClientFileName(name))
	var cf clientFile
	if err := readJSON(path, &cf); err != nil {
		return nil, err
	}
	if cf.Name != name {
		return nil, fmt.Errorf("%s: %w: holds client %q", path, ErrMalformed, cf.Name)
	}
	k, err := parseSeedHex(cf.Ed25519)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// ReadClusterKeys reads a whole key directory (public file, every replica, every client the
// public file lists) and checks every replica against the public keys. It is meant for a
// local cluster run from one directory; a real replica reads only its own file.
func ReadClusterKeys(dir string) (*ClusterKeys, error) {
	pub, err := ReadClusterPublic(dir)
	if err != nil {
		return nil, err
	}
	keys := &ClusterKeys{Public: pub, Replicas: make([]*ReplicaSecret, pub.N), Clients: map[string]*SigningKey{}}
	for i := 1; i <= pub.N; i++ {
		s, err := ReadReplicaSecret(dir, i)
		if err != nil {
			return nil, err
		}
		if err := pub.CheckReplica(s); err != nil {
			return nil, err
		}
		keys.Replicas[i-1] = s
	}
	for name, vk := range pub.Clients {
		sk, err := ReadClientKey(dir, name)
		if err != nil {
			return nil, err
		}
		if sk.Public() != vk {
			return nil, fmt.Errorf("%w: client %q key is not the published one", ErrMalformed, name)
		}
		keys.Clients[name] = sk
	}
	return keys, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var head struct {
		Format string `json:"format"`
	}
	if json.Unmarshal(b, &head) != nil || head.Format != KeyFormat {
		return fmt.Errorf("%s: %w: format %q, want %q", path, ErrMalformed, head.Format, KeyFormat)
	}
	return nil
}

// CheckSecretMode returns an error when the secret key file at path can be read or written by
// anyone but its owner (a mode beyond 0600): keygen writes secrets with 0600, and a copy made
// with a careless umask exposes a replica's keys to every user of its host. The caller decides
// whether that is a warning or fatal; a file that cannot be examined gives the Stat error.
func CheckSecretMode(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("secret key file %s is accessible to other users (mode %04o); run chmod 600 %s", path, perm, path)
	}
	return nil
}
