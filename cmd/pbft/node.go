package main

import (
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
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
	logLevel    string
	adminAddr   string
	adminSet    bool // --admin-addr was given
	allowFaults bool
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
misbehave (for experiments).

It serves Prometheus metrics (/metrics), its status as JSON (/status) and pprof
(/debug/pprof/) on its admin address: --admin-addr, else its admin_addr in the
configuration, else 127.0.0.1 at its replica port + 1000. The endpoint has no
authentication: keep it on loopback or a private network. With --allow-faults it
also takes faults at run time (pbft fault); without, the fault API answers 403.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fl.adminSet = cmd.Flags().Changed("admin-addr")
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
	f.StringVar(&fl.logLevel, "log-level", "info", `least level logged: "debug", "info" (listening, peers, view changes, checkpoints now and then, catch-up, shutdown), "warn" or "error"`)
	f.StringVar(&fl.adminAddr, "admin-addr", "", `admin endpoint `+"`address`"+` (metrics, status, pprof, faults); default: the configuration's admin_addr, else 127.0.0.1:(replica port+1000); "off" turns it off`)
	f.BoolVar(&fl.allowFaults, "allow-faults", false, "accept faults at run time on the admin endpoint (pbft fault: pause, sever, heal, byzantine, clear); for tests and demonstrations only")
	f.StringVar(&fl.cpuProfile, "cpuprofile", "", "write a CPU profile of the replica to `file` (until it stops)")
	f.IntVar(&fl.leaderProcs, "leader-procs", 0, "GOMAXPROCS while this replica leads, back to the starting one when it stops (0: unchanged); for replicas that share a machine, started with a smaller GOMAXPROCS each")
	f.StringVar(&fl.pprofAddr, "pprof", "", "serve net/http/pprof on `addr` too (for example 127.0.0.1:6061; keep it off public interfaces); the admin endpoint serves it at /debug/pprof/ already")
	f.StringVar(&fl.dataDir, "data-dir", "", "the replica's data `directory` (default: its data_dir in the configuration, else data/nID beside the configuration file)")
	f.BoolVar(&fl.ephemeral, "ephemeral", false, "keep everything in memory: a restart starts an empty replica (for comparison)")
	f.StringVar(&fl.backend, "crypto-backend", "", `library for the threshold BLS keys, "gnark" or "circl" (scheme bls12381; both exchange the same bytes, so replicas may differ); default: the replica's crypto_backend in the configuration, else gnark`)
	c.MarkFlagRequired("config")
	c.MarkFlagRequired("id")
	return c
}

// options loads the configuration and the keys and builds the replica's options.
func (fl *nodeFlags) options(stdin io.Reader, stdout, stderr io.Writer) (node.Options, error) {
	level, err := parseLogLevel(fl.logLevel, fl.debug)
	if err != nil {
		return node.Options{}, err
	}
	logger, err := newLoggerAt(stderr, level, fl.logFormat)
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
		CryptoBackend: fl.backend,
		AdminAddr:     cfg.AdminAddrOf(id), AllowFaults: fl.allowFaults}
	if fl.adminSet {
		if opts.AdminAddr, err = adminFlag(fl.adminAddr); err != nil {
			return node.Options{}, err
		}
	}
	if opts.AllowFaults && opts.AdminAddr == "" {
		return node.Options{}, fmt.Errorf("--allow-faults needs the admin endpoint, which is off")
	}
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

// adminFlag reads --admin-addr: "off" or "" turn the endpoint off, anything else is host:port.
func adminFlag(v string) (string, error) {
	switch strings.TrimSpace(v) {
	case "", cluster.AdminOff:
		return "", nil
	}
	if _, _, err := net.SplitHostPort(v); err != nil {
		return "", fmt.Errorf("--admin-addr %q: want host:port or off", v)
	}
	return v, nil
}

// parseLogLevel reads --log-level; --debug means debug.
func parseLogLevel(name string, debug bool) (zerolog.Level, error) {
	if debug {
		return zerolog.DebugLevel, nil
	}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "debug":
		return zerolog.DebugLevel, nil
	case "info", "":
		return zerolog.InfoLevel, nil
	case "warn", "warning":
		return zerolog.WarnLevel, nil
	case "error":
		return zerolog.ErrorLevel, nil
	}
	return zerolog.NoLevel, fmt.Errorf("--log-level %q: want debug, info, warn or error", name)
}

// newLogger is the zerolog logger of a one-shot command: quiet (warnings) by default, debug
// with --debug.
func newLogger(w io.Writer, debug bool, format string) (zerolog.Logger, error) {
	level := zerolog.WarnLevel
	if debug {
		level = zerolog.DebugLevel
	}
	return newLoggerAt(w, level, format)
}

// newLoggerAt is a zerolog logger at level, human-readable or JSON.
func newLoggerAt(w io.Writer, level zerolog.Level, format string) (zerolog.Logger, error) {
	zerolog.TimeFieldFormat = time.RFC3339Nano // the console shows milliseconds: keep them
	switch format {
	case "json":
		return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
	case "console", "":
		out := zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05.000", NoColor: !term.IsTerminal(w)}
		return zerolog.New(out).Level(level).With().Timestamp().Logger(), nil
	}
	return zerolog.Logger{}, fmt.Errorf("--log-format %q: want console or json", format)
}
