package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/client"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/smallbank"
)

// clientFlags are the flags of `pbft client`.
type clientFlags struct {
	config  string
	keyDir  string
	id      string
	timeout time.Duration
	debug   bool
	force   bool
	stderr  io.Writer
}

func newClientCommand(stdout, stderr io.Writer) *cobra.Command {
	fl := clientFlags{stderr: stderr}
	c := subcommand(&cobra.Command{
		Use:   "client --config CLUSTER.yaml OPERATION",
		Short: "Send one transaction to a running cluster and print its result",
		Long: `Send one SmallBank operation to a running cluster, as client --id (by default the
operation's first account), and print the result that f+1 replicas agree on (2f+1
for a balance read). The operation is written either as words or as in scenario
files:

  transfer A B 3          SendPayment(A, B, 3)      (A, B, 3)
  balance A               Balance(A)                (A)
  depositchecking C 25    DepositChecking(C, 25)
  transactsavings A -3    writecheck A 5            amalgamate A B

Only an account's owner (by default the client of the account's name) or a client
with the teller role may debit it: SendPayment, WriteCheck and Amalgamate from it,
or a negative TransactSavings. The client refuses locally an operation its key may
not do; --force sends it anyway, and the replicas answer "not authorized".

Exit status: 0 when the operation committed and succeeded, 2 when it committed but
failed (e.g. insufficient funds, not authorized), 1 when it did not commit before
--timeout or was refused locally.`,
		Example: `  pbft client --config cluster.yaml transfer A B 3
  pbft client --config cluster.yaml balance A
  pbft client --config cluster.yaml --id B "SendPayment(B, C, 1)"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return fl.run(cmd.Context(), stdout, args) },
	})
	f := c.Flags()
	f.StringVar(&fl.config, "config", "", "cluster configuration `file`")
	f.StringVar(&fl.keyDir, "key-dir", "", "key `directory` holding public.json and client-<id>.json (default: the configuration's key_dir)")
	f.StringVar(&fl.id, "id", "", "client `name` (default: the operation's first account)")
	f.DurationVar(&fl.timeout, "timeout", 10*time.Second, "give up if no quorum answers within this `duration`")
	f.BoolVar(&fl.debug, "debug", false, "log the client's retransmissions")
	f.BoolVar(&fl.force, "force", false, "send an operation this client may not do (to see the replicas refuse it)")
	c.MarkFlagRequired("config")
	return c
}

// parseOperation reads `transfer A B 3`, `balance A` or any operation text.
func parseOperation(args []string) (smallbank.Op, error) {
	text := strings.Join(args, " ")
	if !strings.Contains(text, "(") {
		fields := strings.Fields(text)
		text = fields[0] + "(" + strings.Join(fields[1:], ", ") + ")"
	}
	op, err := smallbank.ParseOp(text)
	if err != nil {
		return smallbank.Op{}, fmt.Errorf("operation %q: %w", strings.Join(args, " "), errors.Unwrap(err))
	}
	return op, nil
}

func (fl *clientFlags) run(ctx context.Context, stdout io.Writer, args []string) error {
	op, err := parseOperation(args)
	if err != nil {
		return err
	}
	cfg, id, err := fl.identity(op)
	if err != nil {
		return err
	}
	if err := cfg.Authorize(id, op); err != nil && !fl.force {
		return fmt.Errorf("not sent: %w; --force sends it anyway (the replicas refuse it as not authorized)", err)
	}
	c, err := fl.newClient(cfg, id)
	if err != nil {
		return err
	}
	defer c.Close()
	enc, err := smallbank.EncodeOp(op)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, fl.timeout)
	defer cancel()
	call := c.Submit
	if op.ReadOnly() {
		call = c.Read
	}
	out, err := call(ctx, enc)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: not committed: no quorum of replicas answered within %v", op, fl.timeout)
	}
	if err != nil {
		return err
	}
	return printOutcome(stdout, op, out)
}

// identity loads the configuration and names the client: --id, else the operation's first
// account.
func (fl *clientFlags) identity(op smallbank.Op) (*cluster.Config, string, error) {
	cfg, err := cluster.Load(fl.config)
	if err != nil {
		return nil, "", err
	}
	if fl.id != "" {
		return cfg, fl.id, nil
	}
	return cfg, op.Account, nil
}

func (fl *clientFlags) newClient(cfg *cluster.Config, id string) (*client.Client, error) {
	dir := fl.keyDir
	if dir == "" {
		dir = cfg.KeyDir
	}
	if dir == "" {
		return nil, fmt.Errorf("%s has no key_dir; pass --key-dir", fl.config)
	}
	pub, err := crypto.ReadClusterPublic(dir)
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckKeys(pub); err != nil {
		return nil, fmt.Errorf("%s: %w", fl.config, err)
	}
	key, err := crypto.ReadClientKey(dir, id)
	if err != nil {
		return nil, err
	}
	logger, err := newLogger(fl.stderr, fl.debug, "console")
	if err != nil {
		return nil, err
	}
	return client.New(cfg, pbft.ClientID(id), key, pub, client.Options{Logger: logger})
}

// printOutcome prints the result; a committed operation that failed exits with status 2.
func printOutcome(w io.Writer, op smallbank.Op, out client.Outcome) error {
	res, err := smallbank.DecodeResult(out.Result)
	if err != nil {
		return fmt.Errorf("%s: undecodable result: %w", op, err)
	}
	how := fmt.Sprintf("seq %d, view %d", out.Seq, out.View)
	if out.ReadOnly {
		how = "read from the replicas' state"
	}
	ms := float64(out.Latency.Microseconds()) / 1000
	switch {
	case !res.OK:
		fmt.Fprintf(w, "%s: committed, failed: %s (%s, %.1f ms)\n", op, res.Reason, how, ms)
		return &exitError{code: 2}
	case op.ReadOnly():
		fmt.Fprintf(w, "%s = %d (%s, %.1f ms)\n", op, res.Value, how, ms)
	default:
		fmt.Fprintf(w, "%s: committed, ok (%s, %.1f ms)\n", op, how, ms)
	}
	return nil
}
