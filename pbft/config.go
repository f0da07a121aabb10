package pbft

import "fmt"

// Config holds a replica's identity, the cluster size and the protocol's tunables. Timeouts are
// in ticks; the runtime decides how long a tick is (the node uses 1 ms).
type Config struct {
	ID NodeID
	N  int // replicas, n = 3f+1
	F  int // tolerated faults

	CheckpointInterval Seq // K: a checkpoint every K executed slots (docs/protocol.md, "Checkpoints and catch-up")
	Window             Seq // L: slots are accepted in (h, h+L] (watermarks)
	MaxBatch           int // requests per pre-prepare at most
	// MaxBatchBytes bounds a pre-prepare's batch in bytes (RequestBytes summed); 0 means
	// maxOBytes / Window, so that a NEW-VIEW's O (at most L batches) stays well under the
	// wire's message limit whatever the clients send.
	MaxBatchBytes int
	MaxInflight   int // slots the leader keeps in flight before it lets batches grow
	// PipelineBatch is how many requests must wait before the leader opens a slot while
	// another is still in flight (1: pipeline at once). A slot costs every replica a few
	// pairing-based operations whatever its size, so under load it pays to let the batch grow
	// while the pipeline is busy, and to open a new slot at once only when none is in flight.
	PipelineBatch int
	// FillTicks is how long a leader whose last slot in flight just committed waits for the
	// clients of its recent slots to come back, so that their requests share one slot (0:
	// propose at once). See awaited.
	FillTicks int

	FastPathTicks int // how long the collector waits for all n σ-shares after 2f+1 τ-shares
	// MaxFastPathTicks caps the adaptive fast-path wait: when the last σ-share keeps arriving
	// after the wait (a slow replica rather than an absent one), the collector waits longer,
	// up to this (0: 10 × FastPathTicks).
	MaxFastPathTicks int
	ViewChangeTicks  int // request timer before a backup suspects the leader (doubles per view change)
	// LeaderSilenceTicks: a backup with a request waiting that has heard nothing from the
	// leader for this long suspects it without waiting for ViewChangeTicks (0: off; scaled by
	// the same doubling).
	LeaderSilenceTicks int
	StatusTicks        int // period of STATUS gossip, which lets lagging replicas learn they are behind
	FetchTicks         int // how long a catch-up fetch may stay unanswered before it is retried
	ResendTicks        int // a slot that has not progressed for this long is re-sent (lossy networks)

	LogSize int // readable log lines kept for command 1 (0 turns the log off)

	App Application
}

// DefaultConfig returns the configuration of replica id in a cluster of n = 3f+1 with the
// product's defaults: what `pbft node`, `pbft --test` and `pbft bench` run with unless the
// cluster file or a flag says otherwise. It is the one source of the defaults: package cluster
// fills an unset field of its file from here. Timeouts are counted in ticks of 1 ms, the
// node's default tick (cluster.DefaultTick); the reasons for each value are documented beside
// the cluster file's fields (cluster.Timers, cluster.Batch).
func DefaultConfig(id NodeID, f int, app Application) Config {
	c := Config{
		ID: id, N: 3*f + 1, F: f,
		CheckpointInterval: 10, Window: 64, MaxBatch: 1024, MaxInflight: 4, PipelineBatch: 256,
		FillTicks: 25, FastPathTicks: 6, MaxFastPathTicks: 100, ViewChangeTicks: 400,
		LeaderSilenceTicks: 200, StatusTicks: 100, LogSize: 4096, App: app,
	}
	c.SetResendTicks(200)
	return c
}

// SetResendTicks sets the resend period and what is derived from it: a catch-up fetch stays
// unanswered for two resend periods before it is retried (FetchTicks), so that a reply
// delayed by one lost frame and its resend is not asked for again.
func (c *Config) SetResendTicks(ticks int) { c.ResendTicks, c.FetchTicks = ticks, 2*ticks }

// TestConfig is DefaultConfig tuned for the deterministic tests (tests/sim and this package's
// interaction tests), where a tick is one step of a simulated network rather than a
// millisecond and a handful of clients never fill a batch: slots open at once (PipelineBatch
// 1, no fill wait), batches of at most 256, a fast-path wait of 3 ticks (adaptive up to 10
// times that), a resend period of 50 ticks and no leader-silence trigger (the request timer
// alone starts view changes). The seeds and golden transcripts of those
// tests are recorded with these values.
func TestConfig(id NodeID, f int, app Application) Config {
	c := DefaultConfig(id, f, app)
	c.MaxBatch, c.PipelineBatch, c.FillTicks = 256, 1, 0
	c.FastPathTicks, c.MaxFastPathTicks = 3, 0
	c.LeaderSilenceTicks = 0
	c.SetResendTicks(50)
	return c
}

func (c *Config) validate() error {
	switch {
	case c.F < 1 || c.N != 3*c.F+1:
		return fmt.Errorf("pbft: need n = 3f+1 with f >= 1, got n=%d f=%d", c.N, c.F)
	case c.ID < 1 || int(c.ID) > c.N:
		return fmt.Errorf("pbft: replica id %d outside 1..%d", c.ID, c.N)
	case c.CheckpointInterval < 1 || c.Window < 2*c.CheckpointInterval:
		return fmt.Errorf("pbft: need K >= 1 and window >= 2K, got K=%d L=%d", c.CheckpointInterval, c.Window)
	case c.MaxBatch < 1 || c.MaxInflight < 1 || c.PipelineBatch < 1:
		return fmt.Errorf("pbft: batch size, pipeline depth and pipeline batch must be positive")
	case c.ViewChangeTicks < 1 || c.StatusTicks < 1 || c.FetchTicks < 1 || c.ResendTicks < 1 || c.FastPathTicks < 0 || c.MaxFastPathTicks < 0 || c.FillTicks < 0:
		return fmt.Errorf("pbft: timers must be positive")
	case c.MaxBatchBytes < 0 || (c.MaxBatchBytes > 0 && c.MaxBatchBytes < MaxOpBytes+requestOverhead+256):
		return fmt.Errorf("pbft: batch byte budget %d below one request of the largest size", c.MaxBatchBytes)
	case c.App == nil:
		return fmt.Errorf("pbft: no application")
	}
	return nil
}

// maxOBytes bounds the batches of a NEW-VIEW's O, and of a full VIEW-CHANGE: half the wire's
// 64 MiB message limit.
const maxOBytes = 32 << 20

// batchBytes is the byte budget of one batch (Config.MaxBatchBytes).
func (c *Config) batchBytes() int {
	if c.MaxBatchBytes > 0 {
		return c.MaxBatchBytes
	}
	return max(MaxOpBytes+requestOverhead+256, maxOBytes/int(c.Window))
}

// quorum is 2f+1.
func (c *Config) quorum() int { return 2*c.F + 1 }

// leaderOf is the leader (and collector) of view v in this cluster (LeaderOf).
func (c *Config) leaderOf(v View) NodeID { return LeaderOf(v, c.N) }
