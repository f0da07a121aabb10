package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/smallbank"
)

// keygenFlags are the flags of `pbft keygen`.
type keygenFlags struct {
	config   string
	out      string
	scheme   string
	clients  []string
	tellers  []string
	f        int
	basePort int
	force    bool
	changed  func(name string) bool // whether a flag was given on the command line

	// bundles is the directory of per-host bundles (keygen_bundles.go); hosts are the
	// replicas' hosts of a new configuration.
	bundles string
	hosts   []string
}

func newKeygenCommand(stdout io.Writer) *cobra.Command {
	var fl keygenFlags
	c := subcommand(&cobra.Command{
		Use:   "keygen --config CLUSTER.yaml --out DIR | --bundles DIR",
		Short: "Deal the cluster's keys: replica Ed25519 keys, threshold BLS key shares, client keys",
		Long: `Deal the keys of a cluster into DIR: an Ed25519 key per replica and per client, and
the two threshold BLS keys of the protocol (tau: 2f+1 of n, for the slow path and
checkpoints; sigma: n of n, for the fast path), one share of each per replica.

DIR/public.json is public; DIR/n<i>.json is replica i's secret (copy it to host i
only, mode 0600: a replica warns when its file is readable by others);
DIR/client-<c>.json is client c's secret.

--bundles BDIR (with or instead of --out) also writes what to copy to each host:
BDIR/n<i>/ holds cluster.yaml (key_dir: keys), keys/public.json and keys/n<i>.json,
replica i's secret and no other; BDIR/clients/ holds cluster.yaml, keys/public.json
and the clients' secrets. Directories are 0700, secrets 0600. On host i:
pbft node --config BDIR/n<i>/cluster.yaml --id n<i>.

Who owns what: every account is owned by the client of its own name (account A by
client A) unless the configuration's accounts list names another owner; only the
owner or a client with the teller role may debit an account. --tellers deals keys
for application servers (such as pbft bench --config's clients c0, c1, ...) and
grants them the teller role in a new configuration.

If the --config file does not exist, keygen also writes a default configuration
there: n = 3f+1 replicas on 127.0.0.1 from --base-port, key_dir pointing at DIR, an
account for every --clients name (owned by that client) with checking 10 and
savings 0, and the teller role for --tellers; --replica-hosts puts the replicas on
other hosts (10.0.0.1,10.0.0.2,... or host:port each) instead of 127.0.0.1. An existing configuration is only read (for n, f, the scheme and the
roles): --f, --scheme or --base-port that contradict it are an error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fl.changed = cmd.Flags().Changed
			return fl.run(stdout)
		},
	})
	f := c.Flags()
	f.StringVar(&fl.config, "config", "", "cluster configuration `file`; written with defaults if it does not exist")
	f.StringVar(&fl.out, "out", "", "key `directory` to write")
	f.StringVar(&fl.scheme, "scheme", "", `threshold scheme: "bls12381" or "bn256" (default: the configuration's, else bls12381)`)
	f.StringSliceVar(&fl.clients, "clients", []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"}, "client `names` to deal Ed25519 keys for (each owns the account of its name)")
	f.StringSliceVar(&fl.tellers, "tellers", nil, "client `names` to deal keys for with the teller role (may debit every account) in a new configuration")
	f.IntVar(&fl.f, "f", 2, "faults tolerated, for a new configuration (n = 3f+1)")
	f.IntVar(&fl.basePort, "base-port", 5001, "port of n1, for a new configuration (replica i gets port+i-1)")
	f.BoolVar(&fl.force, "force", false, "replace keys already in --out or --bundles")
	f.StringVar(&fl.bundles, "bundles", "", "also write a bundle per host into `directory`: n<i>/ (configuration, public keys, replica i's secret only) and clients/")
	f.StringSliceVar(&fl.hosts, "replica-hosts", nil, "replica `hosts` of a new configuration, n1 first (host, port base-port+i-1, or host:port); default 127.0.0.1")
	c.MarkFlagRequired("config")
	return c
}

func (fl *keygenFlags) run(stdout io.Writer) error {
	if fl.out == "" && fl.bundles == "" {
		return errors.New("--out or --bundles is required: the key directory to write, or a directory of per-host bundles")
	}
	cfg, created, err := fl.loadOrCreate()
	if err != nil {
		return err
	}
	if err := fl.refuseOverwrite(); err != nil {
		return err
	}
	keys, err := crypto.DealCluster(cfg.Scheme, cfg.N(), cfg.F, nil)
	if err != nil {
		return err
	}
	if err := keys.AddClients(nil, append(slices.Clone(fl.clients), fl.tellers...)...); err != nil {
		return err
	}
	if err := fl.write(cfg, created, keys); err != nil {
		return err
	}
	if created {
		if err := cfg.Save(fl.config); err != nil {
			return fmt.Errorf("writing %s: %w", fl.config, err)
		}
		fmt.Fprintf(stdout, "wrote default configuration %s (%d replicas from %s)\n", fl.config, cfg.N(), cfg.Replicas[0].Addr)
	} else if fl.out != "" && abs(cfg.KeyDir) != abs(fl.out) {
		fmt.Fprintf(stdout, "note: %s has key_dir %q; the new keys are in %s\n", fl.config, cfg.KeyDir, fl.out)
	}
	if fl.out != "" {
		fmt.Fprintf(stdout, "wrote keys for %d replicas (f=%d, %s) and clients %s to %s\n",
			cfg.N(), cfg.F, cfg.Scheme, strings.Join(append(slices.Clone(fl.clients), fl.tellers...), ","), fl.out)
	}
	if fl.bundles != "" {
		fmt.Fprintf(stdout, "wrote bundles to %s: n1..n%d (cluster.yaml, keys/public.json, that replica's secret) and %s (the clients' secrets); copy %s/n<i> to host i\n",
			fl.bundles, cfg.N(), clientBundle, fl.bundles)
	}
	fmt.Fprintf(stdout, "owners: every account by the client of its name%s; tellers: %s\n",
		ownerExceptions(cfg), orNone(cfg.Roles[smallbank.RoleTeller]))
	return nil
}

// refuseOverwrite keeps keygen from replacing keys without --force.
func (fl *keygenFlags) refuseOverwrite() error {
	if fl.force {
		return nil
	}
	if _, err := os.Stat(filepath.Join(fl.out, crypto.PublicFileName)); fl.out != "" && err == nil {
		return fmt.Errorf("%s already holds keys; use --force to replace them", fl.out)
	}
	if _, err := os.Stat(filepath.Join(fl.bundles, clientBundle)); fl.bundles != "" && err == nil {
		return fmt.Errorf("%s already holds bundles; use --force to replace them", fl.bundles)
	}
	return nil
}

// write writes the key directory and the bundles that were asked for.
func (fl *keygenFlags) write(cfg *cluster.Config, created bool, keys *crypto.ClusterKeys) error {
	if fl.out != "" {
		if err := keys.WriteDir(fl.out); err != nil {
			return err
		}
	}
	if fl.bundles == "" {
		return nil
	}
	dataDirs := map[int]string{}
	if !created {
		var err error
		if dataDirs, err = rawDataDirs(fl.config); err != nil {
			return err
		}
	}
	return writeBundles(fl.bundles, cfg, dataDirs, keys)
}

// ownerExceptions lists the accounts that the configuration gives another owner.
func ownerExceptions(cfg *cluster.Config) string {
	var out []string
	for _, a := range cfg.Accounts {
		if a.Owner != "" && a.Owner != a.Name {
			out = append(out, a.Name+" by "+a.Owner)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return ", except " + strings.Join(out, ", ")
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}

// loadOrCreate reads the configuration, or builds the default one when the file does not
// exist (it is saved only once the keys are written).
func (fl *keygenFlags) loadOrCreate() (*cluster.Config, bool, error) {
	if _, err := os.Stat(fl.config); err == nil {
		cfg, err := cluster.Load(fl.config)
		if err != nil {
			return nil, false, err
		}
		return cfg, false, fl.agrees(cfg)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if fl.f < 1 {
		return nil, false, fmt.Errorf("--f %d: want at least 1", fl.f)
	}
	cfg := cluster.Default(fl.f, fl.basePort)
	if err := checkBasePort(fl.basePort, cfg.N()); err != nil {
		return nil, false, err
	}
	if len(fl.hosts) > 0 {
		if err := cfg.PlaceOn(fl.hosts, fl.basePort); err != nil {
			return nil, false, fmt.Errorf("--replica-hosts: %w", err)
		}
	}
	cfg.Scheme = fl.scheme
	if cfg.Scheme == "" {
		cfg.Scheme = crypto.SchemeBLS12381
	}
	cfg.KeyDir = keyDirFor(fl.config, fl.keyDir())
	for _, name := range fl.clients {
		cfg.Accounts = append(cfg.Accounts, cluster.Account{Name: name, Checking: 10})
	}
	if len(fl.tellers) > 0 {
		cfg.Roles = map[string][]string{smallbank.RoleTeller: fl.tellers}
	}
	return cfg, true, cfg.Validate()
}

// agrees checks that the flags given for a new configuration do not contradict an existing
// one, which keygen only reads: keys dealt for another f or scheme would not match it.
func (fl *keygenFlags) agrees(cfg *cluster.Config) error {
	switch {
	case fl.changed("f") && fl.f != cfg.F:
		return fmt.Errorf("--f %d, but %s has f = %d; keygen deals keys for the existing configuration (edit it, or write a new one)", fl.f, fl.config, cfg.F)
	case fl.scheme != "" && fl.scheme != cfg.Scheme:
		return fmt.Errorf("--scheme %s, but %s has scheme %s; set the scheme field there instead", fl.scheme, fl.config, cfg.Scheme)
	case fl.changed("base-port"):
		return fmt.Errorf("--base-port applies to a new configuration only; %s lists the replicas' addresses", fl.config)
	case fl.changed("replica-hosts"):
		return fmt.Errorf("--replica-hosts applies to a new configuration only; %s lists the replicas' addresses", fl.config)
	case len(fl.tellers) > 0 && !allHaveRole(cfg, fl.tellers):
		return fmt.Errorf("--tellers: %s does not grant them the teller role; add roles: {teller: [%s]} there", fl.config, strings.Join(fl.tellers, ", "))
	}
	return nil
}

func allHaveRole(cfg *cluster.Config, clients []string) bool {
	for _, c := range clients {
		if !cfg.HasRole(c, smallbank.RoleTeller) {
			return false
		}
	}
	return true
}

// keyDir is the key directory a new configuration names: --out, else the clients' bundle,
// so that `pbft client --config` works on the dealer's machine.
func (fl *keygenFlags) keyDir() string {
	if fl.out != "" {
		return fl.out
	}
	return filepath.Join(fl.bundles, clientBundle, bundleKeyDir)
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
