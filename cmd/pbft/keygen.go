package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft/cluster"
)

// keygenFlags are the flags of `pbft keygen`.
type keygenFlags struct {
	config   string
	out      string
	scheme   string
	clients  []string
	f        int
	basePort int
	force    bool
}

func newKeygenCommand(stdout io.Writer) *cobra.Command {
	var fl keygenFlags
	c := subcommand(&cobra.Command{
		Use:   "keygen --config CLUSTER.yaml --out DIR",
		Short: "Deal the cluster's keys: replica Ed25519 keys, threshold BLS key shares, client keys",
		Long: `Deal the keys of a cluster into DIR: an Ed25519 key per replica and per client, and
the two threshold BLS keys of the protocol (tau: 2f+1 of n, for the slow path and
checkpoints; sigma: n of n, for the fast path), one share of each per replica.

DIR/public.json is public; DIR/n<i>.json is replica i's secret (copy it to host i
only); DIR/client-<c>.json is client c's secret.

If the --config file does not exist, keygen also writes a default configuration
there: n = 3f+1 replicas on 127.0.0.1 from --base-port, key_dir pointing at DIR, and
an account for every client with checking 10 and savings 0. Edit the addresses for
a real deployment. An existing configuration is only read (for n, f and the scheme).`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return fl.run(stdout) },
	})
	f := c.Flags()
	f.StringVar(&fl.config, "config", "", "cluster configuration `file`; written with defaults if it does not exist")
	f.StringVar(&fl.out, "out", "", "key `directory` to write")
	f.StringVar(&fl.scheme, "scheme", "", `threshold scheme: "bls12381" or "bn256" (default: the configuration's, else bls12381)`)
	f.StringSliceVar(&fl.clients, "clients", []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"}, "client `names` to deal Ed25519 keys for")
	f.IntVar(&fl.f, "f", 2, "faults tolerated, for a new configuration (n = 3f+1)")
	f.IntVar(&fl.basePort, "base-port", 5001, "port of n1, for a new configuration (replica i gets port+i-1)")
	f.BoolVar(&fl.force, "force", false, "replace keys already in --out")
	c.MarkFlagRequired("config")
	c.MarkFlagRequired("out")
	return c
}

func (fl *keygenFlags) run(stdout io.Writer) error {
	cfg, created, err := fl.loadOrCreate()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(fl.out, crypto.PublicFileName)); err == nil && !fl.force {
		return fmt.Errorf("%s already holds keys; use --force to replace them", fl.out)
	}
	keys, err := crypto.DealCluster(cfg.Scheme, cfg.N(), cfg.F, nil)
	if err != nil {
		return err
	}
	if err := keys.AddClients(nil, fl.clients...); err != nil {
		return err
	}
	if err := keys.WriteDir(fl.out); err != nil {
		return err
	}
	if created {
		if err := cfg.Save(fl.config); err != nil {
			return fmt.Errorf("writing %s: %w", fl.config, err)
		}
		fmt.Fprintf(stdout, "wrote default configuration %s (%d replicas from %s)\n", fl.config, cfg.N(), cfg.Replicas[0].Addr)
	} else if abs(cfg.KeyDir) != abs(fl.out) {
		fmt.Fprintf(stdout, "note: %s has key_dir %q; the new keys are in %s\n", fl.config, cfg.KeyDir, fl.out)
	}
	fmt.Fprintf(stdout, "wrote keys for %d replicas (f=%d, %s) and clients %s to %s\n",
		cfg.N(), cfg.F, cfg.Scheme, strings.Join(fl.clients, ","), fl.out)
	return nil
}

// loadOrCreate reads the configuration, or builds the default one when the file does not
// exist (it is saved only once the keys are written).
func (fl *keygenFlags) loadOrCreate() (*cluster.Config, bool, error) {
	if _, err := os.Stat(fl.config); err == nil {
		cfg, err := cluster.Load(fl.config)
		if err != nil {
			return nil, false, err
		}
		if fl.scheme != "" {
			cfg.Scheme = fl.scheme
		}
		return cfg, false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if fl.f < 1 {
		return nil, false, fmt.Errorf("--f %d: want at least 1", fl.f)
	}
	cfg := cluster.Default(fl.f, fl.basePort)
	if fl.basePort < 1 || fl.basePort+cfg.N()-1 > 65535 {
		return nil, false, fmt.Errorf("--base-port %d: replicas need ports up to %d", fl.basePort, fl.basePort+cfg.N()-1)
	}
	cfg.Scheme = fl.scheme
	if cfg.Scheme == "" {
		cfg.Scheme = crypto.SchemeBLS12381
	}
	cfg.KeyDir = keyDirFor(fl.config, fl.out)
	for _, name := range fl.clients {
		cfg.Accounts = append(cfg.Accounts, cluster.Account{Name: name, Checking: 10})
	}
	return cfg, true, nil
}

// keyDirFor is the key directory as the configuration file should name it: relative to the
// file's directory when possible, so that the two can move together.
func keyDirFor(config, out string) string {
	rel, err := filepath.Rel(filepath.Dir(abs(config)), abs(out))
	if err != nil {
		return abs(out)
	}
	return rel
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
