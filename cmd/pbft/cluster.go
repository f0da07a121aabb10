package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/cmd/pbft/internal/localcluster"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft/cluster"
)

func newClusterCommand(stdout io.Writer) *cobra.Command {
	c := subcommand(&cobra.Command{
		Use:   "cluster up|down|ps",
		Short: "Start a local cluster of replica processes in the background, list or stop it",
		Long: `Run every replica of a cluster configuration as a background process on this
machine, to try the bank out:

  pbft cluster up      deal keys and write cluster.yaml if missing, start n1..n7
  pbft client transfer A B 3
  pbft cluster ps      pid, process and port of each replica
  pbft cluster down    stop them (SIGTERM, then SIGKILL after --grace)

Pid files and logs go to run/ beside the configuration (run/n3.pid, run/n3.log), data
directories to data/ (as pbft node puts them), so a cluster brought down and up again
keeps its state; --ephemeral keeps it in memory. --config defaults to $PBFT_CONFIG, else
cluster.yaml, as for pbft client.`,
		Args: cobra.NoArgs,
	})
	c.AddCommand(newClusterUpCommand(stdout), newClusterDownCommand(stdout), newClusterPsCommand(stdout))
	return c
}

// clusterOptions holds the flags the cluster subcommands share.
func clusterOptions(c *cobra.Command, o *localcluster.Options, stdout io.Writer) {
	o.Out = stdout
	configFlag(c, &o.Config)
}

func newClusterUpCommand(stdout io.Writer) *cobra.Command {
	var o localcluster.Options
	basePort := 0
	c := subcommand(&cobra.Command{
		Use:   "up",
		Short: "Start every replica of the configuration that is not running, in the background",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkBasePort(basePort, 7); err != nil {
				return err
			}
			if err := ensureKeys(o.Config, basePort, cmd.Flags().Changed("base-port"), stdout); err != nil {
				return err
			}
			bin, err := os.Executable()
			if err != nil {
				return fmt.Errorf("finding the pbft executable: %w", err)
			}
			o.Binary = bin
			return localcluster.Up(cmd.Context(), o)
		},
	})
	clusterOptions(c, &o, stdout)
	c.Flags().IntVar(&basePort, "base-port", 5001, "port of n1 for a new configuration (replica i gets port+i-1)")
	c.Flags().BoolVar(&o.Ephemeral, "ephemeral", false, "replicas keep everything in memory instead of a data directory each")
	c.Flags().DurationVar(&o.Ready, "ready", 30*time.Second, "how long to wait for every replica to listen")
	return c
}

func newClusterDownCommand(stdout io.Writer) *cobra.Command {
	var o localcluster.Options
	c := subcommand(&cobra.Command{
		Use:   "down",
		Short: "Stop the replicas that pbft cluster up started",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return localcluster.Down(o) },
	})
	clusterOptions(c, &o, stdout)
	c.Flags().DurationVar(&o.Grace, "grace", 10*time.Second, "how long a replica gets to stop after SIGTERM before SIGKILL")
	return c
}

func newClusterPsCommand(stdout io.Writer) *cobra.Command {
	var o localcluster.Options
	c := subcommand(&cobra.Command{
		Use:   "ps",
		Short: "List the replicas of a local cluster: pid, process, port, log",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			reps, err := localcluster.Ps(o)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%-4s %-8s %-8s %-22s %s\n", "id", "pid", "process", "address", "log")
			for _, r := range reps {
				pid, proc, port := "-", "down", r.Addr+" closed"
				if r.PID > 0 {
					pid = fmt.Sprint(r.PID)
				}
				if r.Running {
					proc = "running"
				}
				if r.Listening {
					port = r.Addr
				}
				fmt.Fprintf(stdout, "n%-3d %-8s %-8s %-22s %s\n", r.ID, pid, proc, port, r.Log)
			}
			return nil
		},
	})
	clusterOptions(c, &o, stdout)
	return c
}

// ensureKeys deals the cluster's keys (and writes a default configuration) when the
// configuration or its keys do not exist yet, as `pbft keygen` does.
func ensureKeys(config string, basePort int, basePortGiven bool, stdout io.Writer) error {
	keyDir := filepath.Join(filepath.Dir(config), "keys")
	if cfg, err := cluster.Load(config); err == nil {
		if basePortGiven {
			return fmt.Errorf("--base-port applies to a new configuration only; %s lists the replicas' addresses", config)
		}
		if _, err := os.Stat(filepath.Join(cfg.KeyDir, crypto.PublicFileName)); err == nil {
			return nil
		}
		keyDir = cfg.KeyDir
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	fl := keygenFlags{config: config, out: keyDir, clients: []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"},
		f: 2, basePort: basePort, changed: func(string) bool { return false }}
	return fl.run(stdout)
}
