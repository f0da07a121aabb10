package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/cmd/pbft/internal/runner"
)

// newRootCommand builds the command tree. The root command itself runs scenario files.
func newRootCommand(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var opts runner.Options
	root := &cobra.Command{
		Use:   "pbft",
		Short: "A Byzantine-fault-tolerant replicated bank (linear PBFT)",
		Long: `pbft runs a Byzantine-fault-tolerant replicated bank: seven replicas order client
transactions with linear PBFT (SBFT style) and threshold BLS certificates.

With --test FILE it runs a CSV scenario file on a fresh local cluster of 7 replica
processes (127.0.0.1, ports 5001-5007), one cluster per set, and lets you inspect
the replicas after each set.`,
		Example: `  pbft --test tests/input1.csv
  pbft --test tests/input1.csv --non-interactive --report report.json
  pbft keygen --config cluster.yaml --out keys
  pbft node --config cluster.yaml --id n3
  pbft client --config cluster.yaml transfer A B 3`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Path == "" {
				return cmd.Help()
			}
			if err := checkBasePort(opts.BasePort, 7); err != nil {
				return err
			}
			opts.In, opts.Out = stdin, stdout
			return runner.Run(cmd.Context(), opts)
		},
	}
	f := root.Flags()
	f.StringVar(&opts.Path, "test", "", "run the CSV scenario `FILE` (README, 'Scenario file grammar')")
	f.BoolVar(&opts.Ephemeral, "ephemeral", false, "replicas keep everything in memory instead of a data directory each under the run's temporary directory")
	f.BoolVar(&opts.Debug, "debug", false, "after every set, print each replica's balances beside the expected ones and the replicas' protocol logs; replicas log at debug level")
	f.BoolVar(&opts.NonInteractive, "non-interactive", false, "do not prompt between sets; run to the end")
	f.StringVar(&opts.ReportPath, "report", "", "write a JSON report of the run to `OUT.json`")
	f.IntVar(&opts.BasePort, "base-port", runner.DefaultBasePort, "TCP `port` of n1; replica i listens on 127.0.0.1:port+i-1")
	f.StringSliceVar(&opts.Placement.Hosts, "replica-hosts", nil, "replica `hosts`, n1 first (host, port base-port+i-1, or host:port) instead of 127.0.0.1; for replicas in network namespaces")
	f.StringVar(&opts.Placement.Exec, "replica-exec", "", "start each replica through this command `prefix`, \"%d\" replaced by its id, e.g. \"ip netns exec pbft-n%d\"")
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newNodeCommand(stdin, stdout, stderr), newKeygenCommand(stdout), newClientCommand(stdout, stderr),
		newBenchCommand(stdout, stderr), newSmallbankCommand(stdout), newLedgerCommand(stdout), newClusterCommand(stdout),
		newStatusCommand(stdout), newFaultCommand(stdout))
	return root
}

// flagError turns a flag problem into one line that points at --help.
func flagError(cmd *cobra.Command, err error) error {
	return fmt.Errorf("%v (see %s --help)", err, cmd.CommandPath())
}

// subcommand sets what every subcommand shares.
func subcommand(c *cobra.Command) *cobra.Command {
	c.SilenceUsage, c.SilenceErrors = true, true
	c.SetFlagErrorFunc(flagError)
	return c
}
