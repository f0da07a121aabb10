package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/cmd/pbft/internal/workload"
)

func newSmallbankCommand(stdout io.Writer) *cobra.Command {
	sb := subcommand(&cobra.Command{
		Use:   "smallbank",
		Short: "SmallBank tools",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	})
	sb.AddCommand(newSmallbankGenCommand(stdout))
	return sb
}

func newSmallbankGenCommand(stdout io.Writer) *cobra.Command {
	spec := workload.ScenarioSpec{}
	var out string
	c := subcommand(&cobra.Command{
		Use:   "gen [--out FILE] [--sets N] [--txns M] [--accounts K] [--faults]",
		Short: "Write a SmallBank scenario CSV",
		Long: `Write a scenario file for pbft --test with SmallBank transactions in the benchmark's
mix (Amalgamate 15%, Balance 15%, DepositChecking 15%, SendPayment 25%,
TransactSavings 15%, WriteCheck 15%), one per row, over --accounts accounts (A..Z,
then 26, 27, ...; each starts with checking 10 and savings 0 in scenario mode).

Every set has all 7 replicas live and honest, unless --faults is given: then set i
uses the i-th of these configurations, cycling: all honest; n7 down; n6 Byzantine
with sign; n1 with crash; n1 with time; n1 with equivocation(n6, n7); n2 with
dark(n3). The same --seed gives the same file.`,
		Example: `  pbft smallbank gen --out tests/smallbank1.csv --sets 1 --txns 40
  pbft smallbank gen --out tests/smallbank2.csv --sets 4 --txns 12 --faults --seed 2
  pbft --test tests/smallbank1.csv --non-interactive`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return writeScenario(out, spec, stdout) },
	})
	f := c.Flags()
	f.StringVar(&out, "out", "", "write to this `file` (default: standard output)")
	f.IntVar(&spec.Sets, "sets", 1, "sets in the file")
	f.IntVar(&spec.Txns, "txns", 20, "transactions per set")
	f.IntVar(&spec.Accounts, "accounts", 10, "accounts the transactions use")
	f.IntVar(&spec.Hotspot, "hotspot-accounts", 0, "size of the hotspot (0: uniform account choice)")
	f.Float64Var(&spec.HotProb, "hotspot-prob", 0.9, "probability that an account is chosen in the hotspot")
	f.Int64Var(&spec.MaxAmt, "max-amount", 5, "amounts are drawn from [1, max-amount]")
	f.BoolVar(&spec.Faults, "faults", false, "give each set a fault configuration, cycling through a replica down and each attack")
	f.Uint64Var(&spec.Seed, "seed", 1, "seed of the generator")
	return c
}

func writeScenario(path string, spec workload.ScenarioSpec, stdout io.Writer) error {
	if path == "" {
		return workload.WriteScenario(stdout, spec)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	err = workload.WriteScenario(w, spec)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
