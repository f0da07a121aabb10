package runner

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/scenario"
	"github.com/bftbank/pbft/smallbank"
)

// run is the state of one `pbft --test` run.
type run struct {
	opts     Options
	out      io.Writer
	file     *scenario.File
	plans    [][]txnPlan // per set, per transaction
	accounts []string    // A..J, then the other accounts the file names, sorted
	workDir  string
	keyDir   string
	replicas []cluster.Replica // ids and addresses of every set's replicas
	launcher Launcher
	clients  ClientFactory
	prompt   *prompt // nil when the run never prompts
	report   Report
	started  time.Time
}

func newRun(opts Options, file *scenario.File) (*run, error) {
	r := &run{opts: opts, out: opts.out(), file: file, started: time.Now(), report: Report{File: opts.Path, Sets: []SetReport{}}}
	if r.opts.BasePort == 0 {
		r.opts.BasePort = DefaultBasePort
	}
	if r.opts.BasePort < 1 || r.opts.BasePort+scenarioN-1 > 65535 {
		return nil, fmt.Errorf("base port %d: replicas need ports %d..%d within 1..65535", r.opts.BasePort, r.opts.BasePort, r.opts.BasePort+scenarioN-1)
	}
	if err := checkWritable(opts.ReportPath); err != nil {
		return nil, err
	}
	placed := cluster.Default(scenarioF, r.opts.BasePort)
	if err := opts.Placement.Configure(placed, r.opts.BasePort); err != nil {
		return nil, err
	}
	r.replicas = placed.Replicas
	var clientNames []string
	var err error
	r.plans, r.accounts, clientNames, err = planFile(file)
	if err != nil {
		return nil, err
	}
	if r.workDir, err = os.MkdirTemp("", "pbft-test-*"); err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	r.keyDir = filepath.Join(r.workDir, "keys")
	keys, err := dealKeys(r.keyDir, clientNames)
	if err != nil {
		r.cleanup()
		return nil, err
	}
	if r.launcher = opts.Launcher; r.launcher == nil {
		pl, err := NewProcessLauncher(r.workDir, opts.Debug)
		if err != nil {
			r.cleanup()
			return nil, err
		}
		pl.Ephemeral = opts.Ephemeral
		pl.Wrap = opts.Placement.Wrap()
		r.launcher = pl
	}
	if r.clients = opts.Clients; r.clients == nil {
		r.clients = &keyedClients{keys: keys}
	}
	if !opts.NonInteractive && opts.In != nil {
		r.prompt = newPrompt(opts.In, r.out)
	}
	return r, nil
}

// checkWritable fails early, before any set runs, when the report cannot be written.
func checkWritable(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return f.Close()
}

// cleanup removes the work directory (keys, configurations, child logs); with --debug it
// keeps it and says where it is.
func (r *run) cleanup() {
	r.prompt.close()
	if r.workDir == "" {
		return
	}
	if r.opts.Debug {
		fmt.Fprintf(r.out, "replica logs, keys and configurations kept in %s\n", r.workDir)
		return
	}
	os.RemoveAll(r.workDir)
}

// dealKeys deals the cluster's keys once for the run, with a key for every client name.
func dealKeys(dir string, clientNames []string) (*crypto.ClusterKeys, error) {
	keys, err := crypto.DealCluster(crypto.SchemeBLS12381, scenarioN, scenarioF, nil)
	if err != nil {
		return nil, fmt.Errorf("dealing keys: %w", err)
	}
	if err := keys.AddClients(nil, clientNames...); err != nil {
		return nil, fmt.Errorf("dealing client keys: %w", err)
	}
	if err := keys.WriteDir(dir); err != nil {
		return nil, fmt.Errorf("writing keys: %w", err)
	}
	return keys, nil
}

// defaultAccounts are the accounts of every scenario (README, "Scenario file grammar").
var defaultAccounts = []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J"}

// planFile parses every operation of the file and returns the plans, the accounts (A..J and
// every other account named) and the client names (first accounts of operations).
func planFile(file *scenario.File) ([][]txnPlan, []string, []string, error) {
	plans := make([][]txnPlan, len(file.Sets))
	extra := map[string]bool{}
	clients := map[string]bool{}
	for i := range file.Sets {
		for _, txn := range file.Sets[i].Txns {
			p, err := planTxn(txn)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("%s:%d: %v", file.Name, txn.Line, err)
			}
			for _, op := range p.ops {
				clients[op.client] = true
				for _, a := range op.accounts() {
					if !slices.Contains(defaultAccounts, a) {
						extra[a] = true
					}
				}
			}
			plans[i] = append(plans[i], p)
		}
	}
	accounts := append(slices.Clone(defaultAccounts), sortedKeys(extra)...)
	return plans, accounts, sortedKeys(clients), nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// setConfig is the cluster configuration of set i: the default local cluster, the run's
// keys and accounts, and the set's attacks for each of its Byzantine replicas.
func (r *run) setConfig(i int) *cluster.Config {
	set := &r.file.Sets[i]
	cfg := cluster.Default(scenarioF, r.opts.BasePort)
	cfg.Replicas = slices.Clone(r.replicas)
	cfg.KeyDir = r.keyDir
	cfg.Scheme = crypto.SchemeBLS12381
	for _, a := range r.accounts {
		cfg.Accounts = append(cfg.Accounts, cluster.Account{Name: a, Checking: initialChecking, Savings: initialSavings})
	}
	if len(set.Attacks) > 0 && len(set.Byzantine) > 0 {
		cfg.Byzantine = map[string][]string{}
		attacks := attackStrings(set.Attacks)
		for _, id := range set.Byzantine {
			cfg.Byzantine[fmt.Sprintf("n%d", id)] = attacks
		}
	}
	return cfg
}

func attackStrings(attacks []scenario.Attack) []string {
	out := make([]string, len(attacks))
	for i, a := range attacks {
		out[i] = a.String()
	}
	return out
}

// expectedBalances executes set i one operation at a time, in file order, on a fresh bank:
// the state the set must end in (README, "Scenario file grammar").
func (r *run) expectedBalances(i int) map[string]int64 {
	bank := r.initialBank()
	for _, p := range r.plans[i] {
		for _, op := range p.ops {
			bank.Apply(op.op)
		}
	}
	return bankBalances(bank, r.accounts)
}

// expectedCommitted executes, in file order, only the operations of the set that committed:
// what the replicas must hold when the others never executed.
func (s *setRun) expectedCommitted() map[string]int64 {
	bank := s.r.initialBank()
	for _, res := range s.flatResults() {
		if res.outcome == outcomeCommitted {
			bank.Apply(res.plan.op)
		}
	}
	return bankBalances(bank, s.r.accounts)
}

func (r *run) initialBank() *smallbank.Bank {
	bank := smallbank.NewBank()
	for _, a := range r.accounts {
		bank.Open(a, initialChecking, initialSavings) // names were validated by ParseOp
	}
	return bank
}

func (r *run) initialBalances() map[string]int64 { return bankBalances(r.initialBank(), r.accounts) }

func bankBalances(bank *smallbank.Bank, accounts []string) map[string]int64 {
	out := make(map[string]int64, len(accounts))
	for _, a := range accounts {
		out[a], _ = bank.Balance(a)
	}
	return out
}
