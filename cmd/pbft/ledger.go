package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/cmd/pbft/internal/ledger"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/storage"
)

func newLedgerCommand(stdout io.Writer) *cobra.Command {
	lc := subcommand(&cobra.Command{
		Use:   "ledger",
		Short: "Inspect a replica's ledger of committed batches",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	})
	lc.AddCommand(newLedgerVerifyCommand(stdout), newLedgerTamperCommand(stdout))
	return lc
}

func newLedgerTamperCommand(stdout io.Writer) *cobra.Command {
	var dir string
	var slot uint64
	c := subcommand(&cobra.Command{
		Use:   "tamper --data-dir DIR --slot N",
		Short: "Flip one byte of a stored batch (to demonstrate ledger verify)",
		Long: `Flip one byte of the batch stored for slot N in a stopped replica's ledger, and fix
the entry's checksums, as someone with write access to the disk would. For demonstrations
and tests of pbft ledger verify, which then reports the break at slot N. This damages the
data directory: use it on a copy.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := storage.TamperLedger(dir, pbft.Seq(slot)); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "flipped one byte of slot %d's batch in %s\n", slot, dir)
			return nil
		},
	})
	f := c.Flags()
	f.StringVar(&dir, "data-dir", "", "the replica's data `directory`")
	f.Uint64Var(&slot, "slot", 0, "the `slot` whose batch to damage")
	c.MarkFlagRequired("data-dir")
	c.MarkFlagRequired("slot")
	return c
}

func newLedgerVerifyCommand(stdout io.Writer) *cobra.Command {
	var dir, config string
	c := subcommand(&cobra.Command{
		Use:   "verify --data-dir DIR --config CLUSTER.yaml",
		Short: "Verify a replica's ledger with the cluster's public keys",
		Long: `Verify the ledger in a replica's data directory (the replica must be stopped, or
the directory copied): every executed slot is readable, names the hash of the slot before,
is committed by a commit certificate or full-commit proof that verifies under the cluster's
public keys, and holds the batch the certificate names; the slots are replayed from the
genesis state of the configuration and the state digest is compared with every stable
checkpoint certificate. Only public keys are read. Prints the first break and exits 1 if
there is one.`,
		Example: `  pbft ledger verify --data-dir data/n3 --config cluster.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return verifyLedger(stdout, dir, config)
		},
	})
	f := c.Flags()
	f.StringVar(&dir, "data-dir", "", "the replica's data `directory`")
	f.StringVar(&config, "config", "", "cluster configuration `file` (its key_dir holds the public keys)")
	c.MarkFlagRequired("data-dir")
	c.MarkFlagRequired("config")
	return c
}

// errLedgerBroken is returned (exit 1) when the ledger does not verify.
var errLedgerBroken = fmt.Errorf("the ledger does not verify")

func verifyLedger(stdout io.Writer, dir, config string) error {
	cfg, err := cluster.Load(config)
	if err != nil {
		return err
	}
	pub, err := crypto.ReadClusterPublic(cfg.KeyDir)
	if err != nil {
		return err
	}
	if err := cfg.CheckKeys(pub); err != nil {
		return fmt.Errorf("%s: %w", config, err)
	}
	rep, id, err := ledger.VerifyDir(cfg, pub, dir)
	if err != nil {
		return err
	}
	printLedgerReport(stdout, dir, id, &rep)
	if !rep.Valid() {
		return errLedgerBroken
	}
	return nil
}

func printLedgerReport(w io.Writer, dir string, id pbft.NodeID, rep *ledger.Report) {
	fmt.Fprintf(w, "ledger of %s (%s): %d entries, slots %d..%d; %d checkpoint certificates matched the replayed state (replayed from genesis to slot %d)\n",
		id, dir, rep.Entries, rep.First, rep.Last, rep.Checkpoints, rep.StateChecked)
	for _, g := range rep.Gaps {
		fmt.Fprintf(w, "  resumes at slot %d after a snapshot installed by catch-up (its checkpoint certificate verified)\n", g)
	}
	if rep.Break != nil {
		fmt.Fprintf(w, "BREAK at slot %d: %s\n", rep.Break.Seq, rep.Break.Reason)
		return
	}
	fmt.Fprintln(w, "valid: every certificate, batch and link verified")
}
