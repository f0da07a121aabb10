package main

import (
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft/cluster"
)

// Per-host bundles (`pbft keygen --bundles DIR`): what to copy to each machine, and nothing
// more. A replica's host needs the configuration, the public keys and its own secret; a
// client machine the configuration, the public keys and the clients' secrets.
//
//	DIR/n<i>/cluster.yaml        0644  the configuration, key_dir: keys
//	DIR/n<i>/keys/public.json    0644
//	DIR/n<i>/keys/n<i>.json      0600  replica i's secrets only
//	DIR/clients/cluster.yaml     0644
//	DIR/clients/keys/public.json 0644
//	DIR/clients/keys/client-<c>.json 0600
//
// Directories are 0700. `pbft node --config DIR/n<i>/cluster.yaml --id n<i>` runs from a
// bundle as it is (its data directory defaults to DIR/n<i>/data/n<i>).

// bundleKeyDir is the key directory of a bundle, relative to its cluster.yaml.
const bundleKeyDir = "keys"

// clientBundle is the name of the clients' bundle.
const clientBundle = "clients"

// writeBundles writes the replicas' and the clients' bundles into dir. dataDirs are the
// replicas' data_dir values as the configuration file writes them (relative ones stay
// relative to the bundle's cluster.yaml).
func writeBundles(dir string, cfg *cluster.Config, dataDirs map[int]string, keys *crypto.ClusterKeys) error {
	bundleCfg := *cfg
	bundleCfg.KeyDir = bundleKeyDir
	bundleCfg.Replicas = make([]cluster.Replica, len(cfg.Replicas))
	for i, r := range cfg.Replicas {
		bundleCfg.Replicas[i] = cluster.Replica{ID: r.ID, Addr: r.Addr, DataDir: dataDirs[r.ID]}
	}
	for _, r := range keys.Replicas {
		part := &crypto.ClusterKeys{Public: keys.Public, Replicas: []*crypto.ReplicaSecret{r}}
		if err := writeBundle(filepath.Join(dir, fmt.Sprintf("n%d", r.ID)), &bundleCfg, part); err != nil {
			return err
		}
	}
	part := &crypto.ClusterKeys{Public: keys.Public, Clients: keys.Clients}
	return writeBundle(filepath.Join(dir, clientBundle), &bundleCfg, part)
}

func writeBundle(dir string, cfg *cluster.Config, keys *crypto.ClusterKeys) error {
	for _, d := range []string{filepath.Dir(dir), dir, filepath.Join(dir, bundleKeyDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return err
		}
	}
	if err := keys.WriteDir(filepath.Join(dir, bundleKeyDir)); err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	if err := cfg.Save(filepath.Join(dir, "cluster.yaml")); err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	return nil
}

// rawDataDirs reads the replicas' data_dir fields of a configuration file as written
// (cluster.Load makes relative ones absolute, which would point into the dealer's machine).
func rawDataDirs(path string) (map[int]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Replicas []cluster.Replica `yaml:"replicas"`
	}
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	out := map[int]string{}
	for _, r := range raw.Replicas {
		out[r.ID] = r.DataDir
	}
	return out, nil
}
