package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
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
	config  clusterConfigFlag // --config
	keyDir  string
	id      string
	timeout time.Duration
	debug   bool
	force   bool
	json    bool
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
--timeout or was refused locally. When no replica accepts a connection the client
says so within 3 s instead of waiting for --timeout.

--config defaults to $PBFT_CONFIG, else ./cluster.yaml. A negative amount needs no
"--" (transfer A B -5 is refused locally: "negative amount"). --json prints one JSON
object with the fields of the scenario report: operation, outcome (committed or
not-committed), result (ok, the failure reason, or why it did not commit), value
(reads), seq, view, read_only, latency_ms, and error when it did not commit.`,
		Example: `  pbft client --config cluster.yaml transfer A B 3
  pbft client --config cluster.yaml balance A
  pbft client --config cluster.yaml --id B "SendPayment(B, C, 1)"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return fl.run(cmd.Context(), stdout, args)
		},
	})
	f := c.Flags()
	fl.config.bind(c)
	f.StringVar(&fl.keyDir, "key-dir", "", "key `directory` holding public.json and client-<id>.json (default: the configuration's key_dir)")
	f.StringVar(&fl.id, "id", "", "client `name` (default: the operation's first account)")
	f.DurationVar(&fl.timeout, "timeout", 10*time.Second, "give up if no quorum answers within this `duration`")
	f.BoolVar(&fl.debug, "debug", false, "log the client's retransmissions")
	f.BoolVar(&fl.force, "force", false, "send an operation this client may not do, or one the client refuses locally (to see the replicas refuse it)")
	f.BoolVar(&fl.json, "json", false, "print the outcome as one JSON object")
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
	if fl.timeout <= 0 {
		return fmt.Errorf("--timeout %v: want a positive duration", fl.timeout)
	}
	op, err := parseOperation(args)
	if err != nil {
		return err
	}
	cfg, id, err := fl.identity(op)
	if err != nil {
		return err
	}
	if err := fl.refuseLocally(cfg, id, op); err != nil {
		return err
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
	down := unreachable(ctx, cfg, min(probeWindow, fl.timeout))
	if len(down) == len(cfg.Replicas) {
		return fl.notCommitted(stdout, op, fmt.Sprintf("no replica is reachable (%s)", strings.Join(down, "; ")))
	}
	ctx, cancel := context.WithTimeout(ctx, fl.timeout)
	defer cancel()
	call := c.Submit
	if op.ReadOnly() {
		call = c.Read
	}
	out, err := call(ctx, enc)
	if errors.Is(err, context.DeadlineExceeded) {
		msg := fmt.Sprintf("no quorum of replicas answered within %v", fl.timeout)
		if len(down) > 0 {
			msg += fmt.Sprintf(" (%d of %d unreachable: %s)", len(down), len(cfg.Replicas), strings.Join(down, "; "))
		}
		return fl.notCommitted(stdout, op, msg)
	}
	if err != nil {
		return err
	}
	if fl.json {
		return printOutcomeJSON(stdout, op, out)
	}
	return printOutcome(stdout, op, out)
}

// refuseLocally refuses, before anything is sent, an operation the replicas would only
// refuse: a negative amount, an account the configuration does not open, a debit this client
// may not make. --force sends it anyway, to watch the replicas refuse it.
func (fl *clientFlags) refuseLocally(cfg *cluster.Config, id string, op smallbank.Op) error {
	if fl.force {
		return nil
	}
	if err := checkAmount(op); err != nil {
		return fmt.Errorf("not sent: %w; --force sends it anyway (the replicas refuse it)", err)
	}
	if err := checkAccounts(cfg, op); err != nil {
		return fmt.Errorf("not sent: %w; --force sends it anyway (the replicas refuse it)", err)
	}
	if err := cfg.Authorize(id, op); err != nil {
		return fmt.Errorf("not sent: %w; --force sends it anyway (the replicas refuse it as not authorized)", err)
	}
	return nil
}

// notCommitted reports an operation that got no quorum: one error line, and with --json the
// outcome object as well.
func (fl *clientFlags) notCommitted(stdout io.Writer, op smallbank.Op, why string) error {
	err := fmt.Errorf("%s: not committed: %s", op, why)
	if fl.json {
		if jerr := writeJSON(stdout, clientResult{Operation: op.String(), Outcome: "not-committed", Result: why, ReadOnly: op.ReadOnly(), Error: err.Error()}); jerr != nil {
			return jerr
		}
	}
	return err
}

// identity loads the configuration and names the client: --id, else the operation's first
// account.
func (fl *clientFlags) identity(op smallbank.Op) (*cluster.Config, string, error) {
	cfg, err := fl.config.load()
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
		return nil, fmt.Errorf("%s has no key_dir; pass --key-dir", fl.config.path)
	}
	pub, err := crypto.ReadClusterPublic(dir)
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckKeys(pub); err != nil {
		return nil, fmt.Errorf("%s: %w", fl.config.path, err)
	}
	if _, ok := pub.Clients[id]; !ok {
		return nil, fmt.Errorf("unknown client %s: the cluster's keys (%s) have no client of that name (%s); pass --id with one of them, or deal it with pbft keygen --clients", id, dir, clientNames(pub))
	}
	key, err := crypto.ReadClientKey(dir, id)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no private key for client %s: %s does not exist (copy it from the key directory keygen wrote, or pass --key-dir)", id, filepath.Join(dir, crypto.ClientFileName(id)))
	}
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
