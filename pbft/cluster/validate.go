package cluster

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/smallbank"
)

// validateReplicas checks f, the replica ids and their addresses: host:port, each replica at
// its own address (two replicas on one address fail only when the second binds).
func (c *Config) validateReplicas() error {
	n := 3*c.F + 1
	if c.F < 1 || len(c.Replicas) != n {
		return fmt.Errorf("need f >= 1 and n = 3f+1 replicas, got f=%d and %d replicas", c.F, len(c.Replicas))
	}
	seen := map[int]bool{}
	addrs := map[string]int{}
	for _, r := range c.Replicas {
		if r.ID < 1 || r.ID > n || seen[r.ID] || r.Addr == "" {
			return fmt.Errorf("replica ids must be 1..%d, each once, with an address (bad entry id=%d addr=%q)", n, r.ID, r.Addr)
		}
		seen[r.ID] = true
		host, port, err := net.SplitHostPort(r.Addr)
		if err != nil {
			return fmt.Errorf("replica %d: address %q: want host:port", r.ID, r.Addr)
		}
		key := net.JoinHostPort(strings.ToLower(host), port)
		if other, dup := addrs[key]; dup && port != "0" {
			return fmt.Errorf("replicas %d and %d have the same address %s", other, r.ID, r.Addr)
		}
		addrs[key] = r.ID
	}
	return nil
}

// validateTimers checks that every timer is positive (a value left out or 0 takes its default)
// and that the protocol's timers, counted in ticks, last at least one tick: a negative
// view_change used to become a 1 ms timer and hundreds of view changes.
func (c *Config) validateTimers() error {
	t := c.Timers
	if t.Tick <= 0 {
		return fmt.Errorf("timers.tick %v must be positive", t.Tick)
	}
	for _, tm := range []struct {
		name string
		d    time.Duration
	}{{"view_change", t.ViewChange}, {"fast_path", t.FastPath}, {"fast_path_max", t.FastPathMax},
		{"status", t.Status}, {"resend", t.Resend}} {
		if tm.d < t.Tick {
			return fmt.Errorf("timers.%s %v must be at least one tick (%v)", tm.name, tm.d, t.Tick)
		}
	}
	if t.Client <= 0 {
		return fmt.Errorf("timers.client %v must be positive", t.Client)
	}
	// A live leader is heard at least once per status period: a shorter silence would
	// suspect every idle leader.
	if t.LeaderSilence > 0 && t.LeaderSilence < t.Status {
		return fmt.Errorf("timers.leader_silence %v must be at least timers.status (%v), or negative to turn it off", t.LeaderSilence, t.Status)
	}
	return nil
}

// validateLimits checks the batch limits, the checkpoint interval, the window and the
// generated accounts.
func (c *Config) validateLimits() error {
	b := c.Batch
	if b.MaxRequests < 1 || b.MaxInflight < 1 || b.PipelineBatch < 1 {
		return fmt.Errorf("batch: max_requests, max_inflight and pipeline_batch must be positive, got %d, %d, %d", b.MaxRequests, b.MaxInflight, b.PipelineBatch)
	}
	if c.CheckpointInterval < 1 {
		return fmt.Errorf("checkpoint_interval %d must be positive", c.CheckpointInterval)
	}
	if c.Window < 2*c.CheckpointInterval {
		return fmt.Errorf("window %d must be at least twice the checkpoint interval %d", c.Window, c.CheckpointInterval)
	}
	if l := c.LoadAccounts; l != nil && (l.Count < 0 || l.Min < 0 || l.Max < l.Min) {
		return fmt.Errorf("load_accounts: need count >= 0 and 0 <= min <= max, got count=%d min=%d max=%d", l.Count, l.Min, l.Max)
	}
	return nil
}

// validateScheme checks that the threshold scheme is one the crypto package implements, and
// every replica's crypto_backend one that implements it.
func (c *Config) validateScheme() error {
	switch c.Scheme {
	case crypto.SchemeBLS12381, crypto.SchemeBN256:
	default:
		return fmt.Errorf("scheme %q: want %s or %s", c.Scheme, crypto.SchemeBLS12381, crypto.SchemeBN256)
	}
	for _, r := range c.Replicas {
		if err := crypto.CheckBackend(c.Scheme, r.CryptoBackend); err != nil {
			return fmt.Errorf("replica %d: %w", r.ID, err)
		}
	}
	return nil
}

// validateAccounts checks the names and owners of the initial accounts.
func (c *Config) validateAccounts() error {
	seen := map[string]bool{}
	for _, a := range c.Accounts {
		if err := smallbank.ValidateAccount(a.Name); err != nil {
			return fmt.Errorf("accounts: %w", err)
		}
		if seen[a.Name] {
			return fmt.Errorf("accounts: %s is listed twice", a.Name)
		}
		seen[a.Name] = true
		if a.Owner != "" {
			if err := smallbank.ValidateAccount(a.Owner); err != nil {
				return fmt.Errorf("accounts: %s: owner: %w", a.Name, err)
			}
		}
	}
	return nil
}

// validateRoles checks that every role is known and every grantee a valid client name.
func (c *Config) validateRoles() error {
	for role, clients := range c.Roles {
		if role != smallbank.RoleTeller {
			return fmt.Errorf("roles: unknown role %q (want %s)", role, smallbank.RoleTeller)
		}
		for _, cl := range clients {
			if err := smallbank.ValidateAccount(cl); err != nil {
				return fmt.Errorf("roles: %s: client %q: want 1 to 64 letters, digits, '_' or '-'", role, cl)
			}
		}
	}
	return nil
}

// CheckKeys checks that a key directory's public keys are the configuration's: the same
// threshold scheme (the scheme field would otherwise be ignored) and the same n and f.
func (c *Config) CheckKeys(pub *crypto.ClusterPublic) error {
	if pub.Scheme != c.Scheme {
		return fmt.Errorf("the configuration says scheme %s but the keys in %s are %s (deal keys with pbft keygen --scheme %s, or fix the scheme field)", c.Scheme, c.KeyDir, pub.Scheme, c.Scheme)
	}
	if pub.N != c.N() || pub.F != c.F {
		return fmt.Errorf("the configuration has n=%d f=%d but the keys in %s are for n=%d f=%d", c.N(), c.F, c.KeyDir, pub.N, pub.F)
	}
	return nil
}
