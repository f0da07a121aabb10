package controlapi

// Metrics answers CmdMetrics.
type Metrics struct {
	ExecutedRequests uint64   `json:"executed_requests"`
	ExecutedSlots    uint64   `json:"executed_slots"`
	ThroughputTPS    float64  `json:"throughput_tps"`
	LatencyMS        Latency  `json:"latency_ms"`
	View             uint64   `json:"view"`
	ViewChanges      uint64   `json:"view_changes"`
	FastCommits      uint64   `json:"fast_commits"`
	SlowCommits      uint64   `json:"slow_commits"`
	WaitedSlots      uint64   `json:"waited_slots"`
	Rejected         Rejected `json:"rejected"`
	StateDigest      string   `json:"state_digest"`
	ExecutedSlot     uint64   `json:"executed_slot"`
	// Beyond the contract: what was dropped without being judged, and what the core refused.
	Dropped      Dropped `json:"dropped"`
	CoreRejected uint64  `json:"core_rejected"`
	// For the benchmark: the bank's money and size, and the process's memory.
	MoneyTotal int64  `json:"money_total"` // checking + savings over every account
	Accounts   int    `json:"accounts"`
	Memory     Memory `json:"memory"`
	// Durability: synced writes to the data directory and records written (0: ephemeral).
	Fsyncs         uint64 `json:"fsyncs"`
	DurableRecords uint64 `json:"durable_records"`
}

// Latency summarizes request latency at a replica, in milliseconds.
type Latency struct {
	Avg float64 `json:"avg"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Rejected counts the messages a replica rejected, by reason.
type Rejected struct {
	BadSignature          uint64 `json:"bad_signature"`
	BadShare              uint64 `json:"bad_share"`
	ConflictingPrePrepare uint64 `json:"conflicting_preprepare"`
	Other                 uint64 `json:"other"`
}

// Dropped counts the frames a replica dropped without judging them, by cause.
type Dropped struct {
	InboundOverload uint64 `json:"inbound_overload"` // frames refused: inbound budget spent
	OutboundQueue   uint64 `json:"outbound_queue"`   // frames the transport's peer queues refused
	ClientReplies   uint64 `json:"client_replies"`   // replies with no client connection or a full queue
}

// Memory is a replica process's memory use.
type Memory struct {
	RSSBytes  uint64 `json:"rss_bytes"`  // resident set size (0 where /proc is missing)
	HeapBytes uint64 `json:"heap_bytes"` // Go heap in use
	SysBytes  uint64 `json:"sys_bytes"`  // memory obtained from the OS by the Go runtime
}
