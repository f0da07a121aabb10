// Package cluster is the cluster configuration (docs/design.md, "Processes, transport,
// configuration"): a YAML file with the replicas' ids and addresses, f, timers, batch limits, the
// checkpoint interval and the key directory. The same file drives `pbft node`, `pbft client`, `pbft
// keygen` and `pbft bench --config`.
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
	// a teller may debit every account (README, "Authorization"). Every replica must
	// load the same roles; they are part of the replicated state.
	Roles map[string][]string `yaml:"roles,omitempty"`
	// Byzantine configures misbehaving replicas: replica name -> attack list, e.g.
	// {"n1": ["time", "dark(n6)"]} (docs/design.md, "Byzantine module"). Empty in a real deployment.
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
	// LeaderSilence: a backup with a request waiting which has heard nothing from the leader
	// for this long (not even its STATUS, every `status`) starts a view change; default 200ms,
	// negative: off (the view_change timer alone).
	LeaderSilence time.Duration `yaml:"leader_silence,omitempty"`
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

// DefaultTick is the core's clock period when the file sets no timers.tick; the tick counts
// of pbft.DefaultConfig are counted in it.
const DefaultTick = time.Millisecond

// DefaultClientTimeout is a client's retransmission timer when the file sets no timers.client
// (the client is not part of the core's configuration).
const DefaultClientTimeout = 500 * time.Millisecond

// fillDefaults sets every field the file left unset (zero) to pbft.DefaultConfig's value,
// converted at DefaultTick: the core's defaults are the file's.
func (c *Config) fillDefaults() {
	d := pbft.DefaultConfig(1, 1, nil)
	def := func(p *time.Duration, ticks int) {
		if *p == 0 {
			*p = time.Duration(ticks) * DefaultTick
		}
	}
	defInt := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.Timers.Tick, 1)
	def(&c.Timers.ViewChange, d.ViewChangeTicks)
	def(&c.Timers.LeaderSilence, d.LeaderSilenceTicks)
	def(&c.Timers.FastPath, d.FastPathTicks)
	def(&c.Timers.FastPathMax, d.MaxFastPathTicks)
	def(&c.Timers.Status, d.StatusTicks)
	def(&c.Timers.Resend, d.ResendTicks)
	if c.Timers.Client == 0 {
		c.Timers.Client = DefaultClientTimeout
	}
	def(&c.Batch.FillWait, d.FillTicks)
	defInt(&c.Batch.MaxRequests, d.MaxBatch)
	defInt(&c.Batch.PipelineBatch, d.PipelineBatch)
	defInt(&c.Batch.MaxInflight, d.MaxInflight)
	defInt(&c.CheckpointInterval, int(d.CheckpointInterval))
	defInt(&c.Window, max(int(d.Window), 4*c.CheckpointInterval))
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

// Ticks converts a duration of the file to core ticks (at least 1): the one conversion
// from the file's durations to the core's clock.
func (c *Config) Ticks(d time.Duration) int { return max(1, int(d/c.Timers.Tick)) }

// Core returns the core configuration of replica id: every field of the file converted to
// ticks, and what the core derives from them (pbft.Config.SetResendTicks).
func (c *Config) Core(id pbft.NodeID, app pbft.Application) pbft.Config {
	cfg := pbft.DefaultConfig(id, c.F, app)
	cfg.CheckpointInterval = pbft.Seq(c.CheckpointInterval)
	cfg.Window = pbft.Seq(c.Window)
	cfg.MaxBatch = c.Batch.MaxRequests
	cfg.MaxInflight = c.Batch.MaxInflight
	cfg.PipelineBatch = c.Batch.PipelineBatch
	cfg.FillTicks = 0 // a negative fill_wait: propose at once
	if c.Batch.FillWait > 0 {
		cfg.FillTicks = c.Ticks(c.Batch.FillWait)
	}
	cfg.ViewChangeTicks = c.Ticks(c.Timers.ViewChange)
	cfg.LeaderSilenceTicks = 0 // negative: off
	if c.Timers.LeaderSilence > 0 {
		cfg.LeaderSilenceTicks = c.Ticks(c.Timers.LeaderSilence)
	}
	cfg.FastPathTicks = c.Ticks(c.Timers.FastPath)
	cfg.MaxFastPathTicks = 0 // unset: 10 × FastPathTicks
	if c.Timers.FastPathMax > 0 {
		cfg.MaxFastPathTicks = c.Ticks(c.Timers.FastPathMax)
	}
	cfg.StatusTicks = c.Ticks(c.Timers.Status)
	cfg.SetResendTicks(c.Ticks(c.Timers.Resend))
	return cfg
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
