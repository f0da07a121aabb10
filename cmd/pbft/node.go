package main

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/cmd/pbft/internal/term"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/node"
)

// nodeFlags are the flags of `pbft node`.
type nodeFlags struct {
	config      string
	id          string
	control     string
	debug       bool
	logFormat   string
	cpuProfile  string
	pprofAddr   string
	leaderProcs int
	dataDir     string
	ephemeral   bool
	backend     string
}

func newNodeCommand(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var fl nodeFlags
	c := subcommand(&cobra.Command{
		Use:   "node --config CLUSTER.yaml --id n3",
		Short: "Run one replica",
		Long: `Run one replica of the cluster described by the configuration file, with the keys
of its key directory. In a real deployment each host runs one replica. The replica
runs until it is interrupted (SIGINT, SIGTERM) or, with --control stdio, until its
stdin reaches EOF. Attacks listed for it in the configuration's byzantine map make it
misbehave (for experiments).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := fl.options(stdin, stdout, stderr)
			if err != nil {
				return err
			}
			stop, err := fl.startProfiling(stderr)
			if err != nil {
				return err
			}
			defer stop()
			return node.Run(cmd.Context(), opts)
		},
	})
	f := c.Flags()
	f.StringVar(&fl.config, "config", "", "cluster configuration `file` (YAML, see pbft keygen)")
	f.StringVar(&fl.id, "id", "", "this replica: n3, S3 or 3")
	f.StringVar(&fl.control, "control", "", `control channel: "stdio" reads JSON-line commands on stdin and answers on stdout (used by pbft --test); empty for none`)
	f.BoolVar(&fl.debug, "debug", false, "log protocol detail (debug level)")
	f.StringVar(&fl.logFormat, "log-format", "console", `log format on stderr: "console" or "json"`)
	f.StringVar(&fl.cpuProfile, "cpuprofile", "", "write a CPU profile of the replica to `file` (until it stops)")
	f.IntVar(&fl.leaderProcs, "leader-procs", 0, "GOMAXPROCS while this replica leads, back to the starting one when it stops (0: unchanged); for replicas that share a machine, started with a smaller GOMAXPROCS each")
	f.StringVar(&fl.pprofAddr, "pprof", "", "serve net/http/pprof on `addr` (for example 127.0.0.1:6061; keep it off public interfaces)")
	f.StringVar(&fl.dataDir, "data-dir", "", "the replica's data `directory` (default: its data_dir in the configuration, else data/nID beside the configuration file)")
	f.BoolVar(&fl.ephemeral, "ephemeral", false, "keep everything in memory: a restart starts an empty replica (for comparison)")
	f.StringVar(&fl.backend, "crypto-backend", "", `library for the threshold BLS keys, "gnark" or "circl" (scheme bls12381; both exchange the same bytes, so replicas may differ); default: the replica's crypto_backend in the configuration, else gnark`)
	c.MarkFlagRequired("config")
	c.MarkFlagRequired("id")
	return c
}

// options loads the configuration and the keys and builds the replica's options.
func (fl *nodeFlags) options(stdin io.Reader, stdout, stderr io.Writer) (node.Options, error) {
	logger, err := newLogger(stderr, fl.debug, fl.logFormat)
	if err != nil {
		return node.Options{}, err
	}
	if fl.leaderProcs < 0 {
		return node.Options{}, fmt.Errorf("--leader-procs %d: want 0 or more", fl.leaderProcs)
	}
	cfg, err := cluster.Load(fl.config)
	if err != nil {
		return node.Options{}, err
	}
	id, err := pbft.ParseNodeID(fl.id, cfg.N())
	if err != nil {
		return node.Options{}, fmt.Errorf("--id: %w", err)
	}
	if err := crypto.CheckBackend(cfg.Scheme, fl.backend); err != nil {
		return node.Options{}, fmt.Errorf("--crypto-backend: %w", err)
	}
	if cfg.KeyDir == "" {
		return node.Options{}, fmt.Errorf("%s: no key_dir (run pbft keygen)", fl.config)
	}
	pub, err := crypto.ReadClusterPublic(cfg.KeyDir)
	if err != nil {
		return node.Options{}, err
	}
	if err := cfg.CheckKeys(pub); err != nil {
		return node.Options{}, fmt.Errorf("%s: %w", fl.config, err)
	}
	secret, err := crypto.ReadReplicaSecret(cfg.KeyDir, int(id))
	if err != nil {
		return node.Options{}, err
	}
	if err := crypto.CheckSecretMode(filepath.Join(cfg.KeyDir, crypto.ReplicaFileName(int(id)))); err != nil {
		fmt.Fprintf(stderr, "warning: %v\n", err)
	}
	behavior, err := behaviorOf(cfg, id)
	if err != nil {
		return node.Options{}, fmt.Errorf("%s: %w", fl.config, err)
	}
	opts := node.Options{Config: cfg, ID: id, Public: pub, Secret: secret, Behavior: behavior,
		Logger: logger.With().Str("replica", id.String()).Logger(), LeaderProcs: fl.leaderProcs,
		CryptoBackend: fl.backend}
	if opts.DataDir, err = fl.dataDirOf(cfg, id); err != nil {
		return node.Options{}, err
	}
	switch fl.control {
	case "":
	case "stdio":
		opts.Control, opts.ControlOut = stdin, stdout
	default:
		return node.Options{}, fmt.Errorf("--control %q: want stdio or nothing", fl.control)
	}
	return opts, nil
}

// dataDirOf is the replica's data directory: --data-dir, else its data_dir in the
// configuration, else data/nID beside the configuration file; "" with --ephemeral.
func (fl *nodeFlags) dataDirOf(cfg *cluster.Config, id pbft.NodeID) (string, error) {
	if fl.ephemeral {
		if fl.dataDir != "" {
			return "", fmt.Errorf("--ephemeral and --data-dir exclude each other")
		}
		return "", nil
	}
	if fl.dataDir != "" {
		return fl.dataDir, nil
	}
	for _, r := range cfg.Replicas {
		if r.ID == int(id) && r.DataDir != "" {
			return r.DataDir, nil
		}
	}
	return filepath.Join(filepath.Dir(fl.config), "data", id.String()), nil
}

// behaviorOf reads the attacks the configuration lists for replica id (keys may be written
// n3, S3 or 3).
func behaviorOf(cfg *cluster.Config, id pbft.NodeID) (byzantine.Behavior, error) {
	var attacks []string
	for _, name := range cfg.SortedByzantine() {
		who, err := pbft.ParseNodeID(name, cfg.N())
		if err != nil {
			return nil, fmt.Errorf("byzantine: %w", err)
		}
		if who == id {
			attacks = append(attacks, cfg.Byzantine[name]...)
		}
	}
	if len(attacks) == 0 {
		return byzantine.Honest{}, nil
	}
	vcTicks := cfg.Ticks(cfg.Timers.ViewChange)
	return byzantine.Parse(attacks, id, cfg.N(), vcTicks)
}

// newLogger is the zerolog logger of a process: quiet (warnings) by default, debug with
// --debug, human-readable or JSON.
func newLogger(w io.Writer, debug bool, format string) (zerolog.Logger, error) {
	zerolog.TimeFieldFormat = time.RFC3339Nano // the console shows milliseconds: keep them
	level := zerolog.WarnLevel
	if debug {
		level = zerolog.DebugLevel
	}
	switch format {
	case "json":
		return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
	case "console", "":
		out := zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05.000", NoColor: !term.IsTerminal(w)}
		return zerolog.New(out).Level(level).With().Timestamp().Logger(), nil
	}
	return zerolog.Logger{}, fmt.Errorf("--log-format %q: want console or json", format)
}
