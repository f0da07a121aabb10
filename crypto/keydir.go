package crypto

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Key directory layout, as written by ClusterKeys.WriteDir (and `pbft keygen --out DIR`):
//
//	DIR/public.json     mode 0644  ClusterPublic: scheme, n, f, τ and σ public keys,
//	                               replica and client Ed25519 public keys
//	DIR/n<i>.json       mode 0600  replica i's secrets: Ed25519 seed, τ share, σ share
//	DIR/client-<c>.json mode 0600  client c's Ed25519 seed
//
// All files are JSON with a "format" field of KeyFormat. Binary values are hex: Ed25519 keys
// and seeds are 32 bytes; threshold keys are the MarshalBinary encodings of ThresholdPublic and
// ThresholdSigner (a scheme tag, then big-endian fields; see encodePublic and encodeSigner).

// KeyFormat names the version of the key file format.
const KeyFormat = "pbft-keys/v1"

// PublicFileName is the name of the public key file in a key directory.
const PublicFileName = "public.json"

// ReplicaFileName is the name of replica id's private key file, e.g. "n3.json".
func ReplicaFileName(id int) string { return fmt.Sprintf("n%d.json", id) }

// ClientFileName is the name of a client's private key file, e.g. "client-A.json".
func ClientFileName(name string) string { return "client-" + name + ".json" }

type publicFile struct {
	Format   string               `json:"format"`
	Scheme   string               `json:"scheme"`
	N        int                  `json:"n"`
	F        int                  `json:"f"`
	Tau      string               `json:"tau"`
	Sigma    string               `json:"sigma"`
	Replicas []VerifyKey          `json:"replicas"`
	Clients  map[string]VerifyKey `json:"clients,omitempty"`
}

type replicaFile struct {
	Format  string `json:"format"`
	Scheme  string `json:"scheme"`
	ID      int    `json:"id"`
	Ed25519 string `json:"ed25519_seed"`
	Tau     string `json:"tau"`
	Sigma   string `json:"sigma"`
}

type clientFile struct {
	Format  string `json:"format"`
	Name    string `json:"name"`
	Ed25519 string `json:"ed25519_seed"`
}

// WriteDir writes the public file, one file per replica and one per client into dir, creating
// it (mode 0700) if needed. Existing files of the same names are replaced.
func (k *ClusterKeys) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	pf, err := k.Public.file()
	if err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, PublicFileName), pf, 0o644); err != nil {
		return err
	}
	for _, r := range k.Replicas {
		rf, err := r.file(k.Public.Scheme)
		if err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(dir, ReplicaFileName(r.ID)), rf, 0o600); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(k.Clients))
	for name := range k.Clients {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		cf := clientFile{Format: KeyFormat, Name: name, Ed25519: hex.EncodeToString(k.Clients[name].Seed())}
		if err := writeJSON(filepath.Join(dir, ClientFileName(name)), cf, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func (p *ClusterPublic) file() (*publicFile, error) {
	tau, err := p.Tau.MarshalBinary()
	if err != nil {
		return nil, err
	}
	sigma, err := p.Sigma.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return &publicFile{Format: KeyFormat, Scheme: p.Scheme, N: p.N, F: p.F,
		Tau: hex.EncodeToString(tau), Sigma: hex.EncodeToString(sigma),
		Replicas: p.Replicas, Clients: p.Clients}, nil
}

func (s *ReplicaSecret) file(scheme string) (*replicaFile, error) {
	tau, err := s.Tau.MarshalBinary()
	if err != nil {
		return nil, err
	}
	sigma, err := s.Sigma.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return &replicaFile{Format: KeyFormat, Scheme: scheme, ID: s.ID,
		Ed25519: hex.EncodeToString(s.Ed25519.Seed()),
		Tau:     hex.EncodeToString(tau), Sigma: hex.EncodeToString(sigma)}, nil
}

func writeJSON(path string, v any, mode os.FileMode) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), mode); err != nil {
		return err
	}
	return os.Chmod(path, mode) // WriteFile keeps the mode of a file that already existed
}
