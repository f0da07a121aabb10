package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// errNotImplemented is the answer of the commands still to be written.
var errNotImplemented = errors.New("not implemented yet")

func newBenchCommand() *cobra.Command {
	return subcommand(&cobra.Command{
		Use:   "bench",
		Short: "Run the SmallBank benchmark (not implemented yet)",
		Long:  "Run the SmallBank benchmark on a local or configured cluster (SPEC section 8). Not implemented yet.",
		RunE:  func(*cobra.Command, []string) error { return fmt.Errorf("bench is %w", errNotImplemented) },
	})
}

func newSmallbankCommand() *cobra.Command {
	sb := subcommand(&cobra.Command{
		Use:   "smallbank",
		Short: "SmallBank tools",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	})
	sb.AddCommand(subcommand(&cobra.Command{
		Use:   "gen",
		Short: "Write a SmallBank scenario CSV (not implemented yet)",
		Long:  "Write a SmallBank scenario CSV for pbft --test. Not implemented yet.",
		RunE:  func(*cobra.Command, []string) error { return fmt.Errorf("smallbank gen is %w", errNotImplemented) },
	}))
	return sb
}
