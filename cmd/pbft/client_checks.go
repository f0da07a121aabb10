package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"io/fs"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/smallbank"
)

// configEnv names the environment variable that gives `pbft client` its default --config.
const configEnv = "PBFT_CONFIG"

// defaultConfigPath is --config when it is not given: $PBFT_CONFIG, else ./cluster.yaml (the
// file `pbft keygen --config cluster.yaml` writes), as etcdctl and kubectl read theirs.
func defaultConfigPath() string {
	if p := os.Getenv(configEnv); p != "" {
		return p
	}
	return "cluster.yaml"
}

// configFlag adds --config, with the default that every command talking to a running cluster
// shares (client, cluster, status, fault).
func configFlag(c *cobra.Command, p *string) {
	c.Flags().StringVar(p, "config", defaultConfigPath(), "cluster configuration `file` (default: $"+configEnv+", else cluster.yaml)")
}

// clusterConfigFlag is --config of the commands that talk to a running cluster (client,
// status, fault): the path, and whether it was given on the command line.
type clusterConfigFlag struct {
	path  string
	flags *pflag.FlagSet // of the command it was bound to
}

// bind adds --config to c (configFlag).
func (f *clusterConfigFlag) bind(c *cobra.Command) {
	configFlag(c, &f.path)
	f.flags = c.Flags()
}

// load loads the configuration and, when it is missing and --config was not given, says
// where the command looked and how to name another.
func (f *clusterConfigFlag) load() (*cluster.Config, error) {
	cfg, err := cluster.Load(f.path)
	if err != nil && errors.Is(err, fs.ErrNotExist) && (f.flags == nil || !f.flags.Changed("config")) {
		return nil, fmt.Errorf("no cluster configuration: %s does not exist (pass --config FILE or set %s; pbft keygen --config cluster.yaml --out keys writes one)", f.path, configEnv)
	}
	return cfg, err
}

// forbidsNegative lists the operations whose amount may not be negative: the replicas would
// execute them with the result "negative amount" (smallbank), so the client refuses them
// before sending. TransactSavings takes a negative amount (a withdrawal).
var forbidsNegative = []smallbank.OpKind{smallbank.OpDepositChecking, smallbank.OpWriteCheck, smallbank.OpSendPayment}

// checkAmount refuses a negative amount where the operation forbids one.
func checkAmount(op smallbank.Op) error {
	if op.Amount < 0 && slices.Contains(forbidsNegative, op.Kind) {
		return fmt.Errorf("%s: negative amount %d (%s takes an amount of 0 or more)", op, op.Amount, op.Kind)
	}
	return nil
}

// checkAccounts refuses an operation that names an account the configuration does not open:
// the replicas would answer "unknown account", since no client operation opens one.
func checkAccounts(cfg *cluster.Config, op smallbank.Op) error {
	for _, a := range []string{op.Account, op.Dest} {
		if a != "" && !opens(cfg, a) {
			return fmt.Errorf("%s: unknown account %s: %s", op, a, openedText(cfg))
		}
	}
	return nil
}

// opens reports whether the configuration opens the account: one of its accounts, or a
// generated benchmark account "0".."count-1".
func opens(cfg *cluster.Config, account string) bool {
	if slices.ContainsFunc(cfg.Accounts, func(a cluster.Account) bool { return a.Name == account }) {
		return true
	}
	if l := cfg.LoadAccounts; l != nil {
		i, err := strconv.Atoi(account)
		return err == nil && strconv.Itoa(i) == account && i >= 0 && i < l.Count
	}
	return false
}

// openedText names the accounts a configuration opens, briefly.
func openedText(cfg *cluster.Config) string {
	names := make([]string, 0, len(cfg.Accounts))
	for _, a := range cfg.Accounts {
		names = append(names, a.Name)
	}
	if len(names) > 12 {
		names = append(names[:12], "...")
	}
	text := "the configuration opens " + strings.Join(names, ", ")
	if len(names) == 0 {
		text = "the configuration opens no named account"
	}
	if l := cfg.LoadAccounts; l != nil && l.Count > 0 {
		text += fmt.Sprintf(" and the generated accounts 0..%d", l.Count-1)
	}
	return text
}

// probeWindow bounds the reachability check before a request is sent: the client redials
// until one replica accepts a connection or the window ends, so that replicas still starting
// (a script that launches them and a client at once) are waited for briefly.
const probeWindow = 3 * time.Second

// unreachable dials every replica, in parallel, until one accepts a connection or the window
// ends, and returns one line per replica that refused or did not answer. When every replica
// is unreachable the client says so then, instead of retransmitting until --timeout.
func unreachable(ctx context.Context, cfg *cluster.Config, window time.Duration) []string {
	deadline := time.Now().Add(window)
	for {
		down := dialAll(ctx, cfg)
		if len(down) < len(cfg.Replicas) || !time.Now().Add(dialRetry).Before(deadline) {
			return down
		}
		select {
		case <-ctx.Done():
			return down
		case <-time.After(dialRetry): // redial: the replicas may be starting
		}
	}
}

// dialRetry is the pause between two rounds of dials; dialTimeout bounds one dial.
const (
	dialRetry   = 250 * time.Millisecond
	dialTimeout = time.Second
)

// dialAll dials every replica once, in parallel, and lists those that did not accept.
func dialAll(ctx context.Context, cfg *cluster.Config) []string {
	var mu sync.Mutex
	var down []string
	var wg sync.WaitGroup
	for _, r := range cfg.Replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{Timeout: dialTimeout}
			conn, err := d.DialContext(ctx, "tcp", r.Addr)
			if err == nil {
				conn.Close()
				return
			}
			mu.Lock()
			down = append(down, fmt.Sprintf("n%d %s: %s", r.ID, r.Addr, dialReason(err)))
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(down)
	return down
}

// dialReason shortens a dial error to its cause ("connection refused", "i/o timeout").
func dialReason(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		var sys *os.SyscallError
		if errors.As(op.Err, &sys) {
			return sys.Err.Error()
		}
		return op.Err.Error()
	}
	return err.Error()
}
