// Package cluster is the cluster configuration of SPEC 7: a YAML file with the replicas' ids
// and addresses, f, timers, batch limits, the checkpoint interval and the key directory. The
// same file drives `pbft node`, `pbft client`, `pbft keygen` and `pbft bench --config`.
package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
)

// Config is the cluster configuration file.
type Config struct {
	F        int       `yaml:"f"`
	Replicas []Replica `yaml:"replicas"`
	KeyDir   string    `yaml:"key_dir"` // relative paths are relative to the file
	Scheme   string    `yaml:"scheme"`  // threshold scheme: bls12381 (default) or bn256
	Timers   Timers    `yaml:"timers"`
	Batch    Batch     `yaml:"batch"`
	// CheckpointInterval is K, in slots (default 10).
	CheckpointInterval int `yaml:"checkpoint_interval"`
	// Window is L, the watermark window in slots (default 64, at least 2K).
	Window int `yaml:"window"`
	// Accounts are opened with these balances on every replica at start (scenario mode).
	Accounts []Account `yaml:"accounts,omitempty"`
	// LoadAccounts opens generated benchmark accounts at start (pbft bench), beside Accounts.
	LoadAccounts *AccountLoad `yaml:"load_accounts,omitempty"`
	// Roles grants roles to clients, role -> client names, e.g. {"teller": ["c0", "c1"]}:
	// a teller may debit every account (see Authorization in the README). Every replica must
	// load the same roles; they are part of the replicated state.
	Roles map[string][]string `yaml:"roles,omitempty"`
	// Byzantine configures misbehaving replicas: replica name -> attack list, e.g.
	// {"n1": ["time", "dark(n6)"]} (SPEC 5). Empty in a real deployment.
	Byzantine map[string][]string `yaml:"byzantine,omitempty"`
}

// Replica is one replica's id and address.
type Replica struct {
	ID   int    `yaml:"id"`
	Addr string `yaml:"addr"`
	// DataDir is the replica's data directory (relative paths are relative to the file);
	// `pbft node --data-dir` overrides it.
	DataDir string `yaml:"data_dir,omitempty"`
	// CryptoBackend is the library this replica runs the threshold keys on: gnark (the
	// default) or circl, both of scheme bls12381 and interchangeable byte for byte, so a
	// cluster may mix them (docs/design.md, "Two BLS12-381 backends"). `pbft node
	// --crypto-backend` overrides it.
	CryptoBackend string `yaml:"crypto_backend,omitempty"`

	// AdminAddr is where the replica serves metrics, status, pprof and (when allowed) the
	// fault API over HTTP (docs/operations.md); empty: DerivedAdminAddr of Addr; "off": none.
	// `pbft node --admin-addr` overrides it; `pbft status` and `pbft fault` read it.
	AdminAddr string `yaml:"admin_addr,omitempty"`
}

// Timers are the protocol's timeouts. Tick is the core's clock period; the others are
// durations that the node converts to ticks.
type Timers struct {
	Tick       time.Duration `yaml:"tick"`        // default 1ms
	ViewChange time.Duration `yaml:"view_change"` // default 400ms
	// FastPath is how long the collector waits for all n σ-shares once 2f+1 τ-shares are in;
	// default 6ms. Seven replicas sharing two cores finish checking a pre-prepare of 150
	// requests up to ~5 ms apart: with 3 ms the collector fell to the slow path on 4-6% of the
	// slots (a second round, two more certificate checks on every replica). The wait is paid in
	// full only while a replica is slow or, for 2 slots and then one in 16, when it is absent.
	FastPath time.Duration `yaml:"fast_path"`
	// FastPathMax caps the adaptive fast-path wait (it grows while the last shares arrive
	// late); default 100ms, longer than an honest replica under load takes to check a batch
	// of a thousand requests: below that, big batches sent the collector to the slow path for
	// good (a second round on every slot, itself making slots and batches bigger).
	FastPathMax time.Duration `yaml:"fast_path_max,omitempty"`
	Status      time.Duration `yaml:"status"` // default 100ms
	Resend      time.Duration `yaml:"resend"` // default 200ms: TCP loses frames only on reconnects and full queues
	Client      time.Duration `yaml:"client"` // client retransmission, default 500ms
}

// Batch limits the leader's batches.
type Batch struct {
	MaxRequests int `yaml:"max_requests"` // default 1024
	MaxInflight int `yaml:"max_inflight"` // default 4
	// PipelineBatch is how many requests must wait before the leader opens a slot while
	// another is in flight (default 256; 1 pipelines at once).
	PipelineBatch int `yaml:"pipeline_batch"`
	// FillWait is how long a leader whose last slot just committed waits at most for the
	// clients of that slot to come back, so that their requests share the next slot (default
	// 25ms; negative: propose at once). See pbft.Config.FillTicks.
	FillWait time.Duration `yaml:"fill_wait,omitempty"`
}

// Account is an initial balance and the account's owner: the client that may debit it,
// by default the client of the account's own name.
type Account struct {
	Name     string `yaml:"name"`
	Owner    string `yaml:"owner,omitempty"`
	Checking int64  `yaml:"checking"`
	Savings  int64  `yaml:"savings"`
}

// AccountLoad opens Count benchmark accounts named "0" .. Count-1, each owned by the client of
// its name, with checking and savings
// drawn from [Min, Max] by a generator seeded with Seed (smallbank.Bank.LoadAccounts): every
// replica derives the same state from these four numbers instead of a list of a million
// accounts.
type AccountLoad struct {
	Count int    `yaml:"count"`
	Min   int64  `yaml:"min"`
	Max   int64  `yaml:"max"`
	Seed  uint64 `yaml:"seed"`
}

// Default returns the configuration of n = 3f+1 replicas on 127.0.0.1 from basePort.
func Default(f, basePort int) *Config {
	c := &Config{F: f}
	for i := 1; i <= 3*f+1; i++ {
		addr := fmt.Sprintf("127.0.0.1:%d", basePort+i-1)
		c.Replicas = append(c.Replicas, Replica{ID: i, Addr: addr, AdminAddr: DerivedAdminAddr(addr)})
	}
	c.fillDefaults()
	return c
}

// Load reads and validates a configuration file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var c Config
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if c.KeyDir != "" && !filepath.IsAbs(c.KeyDir) {
		c.KeyDir = filepath.Join(filepath.Dir(path), c.KeyDir)
	}
	for i := range c.Replicas {
		if d := c.Replicas[i].DataDir; d != "" && !filepath.IsAbs(d) {
			c.Replicas[i].DataDir = filepath.Join(filepath.Dir(path), d)
		}
	}
	c.fillDefaults()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &c, nil
}

// Save writes the configuration as YAML.
func (c *Config) Save(path string) error {
	b, err := yaml.Marshal(c)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func (c *Config) fillDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.Timers.Tick, time.Millisecond)
	def(&c.Timers.ViewChange, 400*time.Millisecond)
	def(&c.Timers.FastPath, 6*time.Millisecond)
	def(&c.Timers.FastPathMax, 100*time.Millisecond)
	def(&c.Timers.Status, 100*time.Millisecond)
	def(&c.Timers.Resend, 200*time.Millisecond)
	def(&c.Timers.Client, 500*time.Millisecond)
	if c.Batch.MaxRequests == 0 {
		c.Batch.MaxRequests = 1024
	}
	def(&c.Batch.FillWait, 25*time.Millisecond)
	if c.Batch.PipelineBatch == 0 {
		c.Batch.PipelineBatch = 256
	}
	if c.Batch.MaxInflight == 0 {
		c.Batch.MaxInflight = 4
	}
	if c.CheckpointInterval == 0 {
		c.CheckpointInterval = 10
	}
	if c.Window == 0 {
		c.Window = max(64, 4*c.CheckpointInterval)
	}
	if c.Scheme == "" {
		c.Scheme = "bls12381"
	}
}

// Validate checks the configuration; each problem is a clear error (validate.go).
func (c *Config) Validate() error {
	for _, check := range []func() error{c.validateReplicas, c.validateTimers, c.validateLimits,
		c.validateScheme, c.validateAccounts, c.validateRoles, c.validateAdmin} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// N is the number of replicas.
func (c *Config) N() int { return 3*c.F + 1 }

// Addrs maps replica ids to addresses.
func (c *Config) Addrs() map[pbft.NodeID]string {
	m := map[pbft.NodeID]string{}
	for _, r := range c.Replicas {
		m[pbft.NodeID(r.ID)] = r.Addr
	}
	return m
}

// BackendOf returns the crypto backend configured for replica id: its crypto_backend, else
// crypto.BackendGnark.
func (c *Config) BackendOf(id pbft.NodeID) string {
	for _, r := range c.Replicas {
		if r.ID == int(id) && r.CryptoBackend != "" {
			return r.CryptoBackend
		}
	}
	return crypto.BackendGnark
}

// ticks converts a duration to ticks (at least 1).
func (c *Config) ticks(d time.Duration) int { return max(1, int(d/c.Timers.Tick)) }

// Core returns the core configuration of replica id.
func (c *Config) Core(id pbft.NodeID, app pbft.Application) pbft.Config {
	cfg := pbft.DefaultConfig(id, c.F, app)
	cfg.CheckpointInterval = pbft.Seq(c.CheckpointInterval)
	cfg.Window = pbft.Seq(c.Window)
	cfg.MaxBatch = c.Batch.MaxRequests
	cfg.MaxInflight = c.Batch.MaxInflight
	cfg.ViewChangeTicks = c.ticks(c.Timers.ViewChange)
	cfg.FastPathTicks = c.ticks(c.Timers.FastPath)
	cfg.PipelineBatch = c.Batch.PipelineBatch
	if c.Batch.FillWait > 0 {
		cfg.FillTicks = c.ticks(c.Batch.FillWait)
	}
	if c.Timers.FastPathMax > 0 {
		cfg.MaxFastPathTicks = c.ticks(c.Timers.FastPathMax)
	}
	cfg.StatusTicks = c.ticks(c.Timers.Status)
	cfg.ResendTicks = c.ticks(c.Timers.Resend)
	cfg.FetchTicks = c.ticks(c.Timers.Resend) * 2
	return cfg
}

// ParseNodeName reads a replica name: "n3", "N3", "S3", "s3" or "3".
func ParseNodeName(s string, n int) (pbft.NodeID, error) {
	t := s
	if len(t) > 0 && (t[0] == 'n' || t[0] == 'N' || t[0] == 's' || t[0] == 'S') {
		t = t[1:]
	}
	var id int
	if _, err := fmt.Sscanf(t, "%d", &id); err != nil || fmt.Sprint(id) != t || id < 1 || id > n {
		return 0, fmt.Errorf("unknown replica %q (want n1..n%d)", s, n)
	}
	return pbft.NodeID(id), nil
}

// SortedByzantine returns the Byzantine replica names in order.
func (c *Config) SortedByzantine() []string {
	names := make([]string, 0, len(c.Byzantine))
	for k := range c.Byzantine {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
