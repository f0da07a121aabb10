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
	// NotAuthorized counts the operations this replica executed with the result "not
	// authorized": signed by a client that may not debit the account (docs/protocol.md,
	// "Application state and authorization").
	NotAuthorized uint64 `json:"not_authorized"`
	// Edges counts what the transport's handshake and bounds refused (docs/design.md "Bounds at the
	// edges").
	Edges Edges `json:"edges"`
	// For the benchmark: the bank's money and size, and the process's memory and CPU time.
	MoneyTotal int64  `json:"money_total"` // checking + savings over every account
	Accounts   int    `json:"accounts"`
	Memory     Memory `json:"memory"`
	// CPUSeconds is the processor time (user and system) the process has used since it
	// started (0 where the system does not say); the benchmark divides its growth by the
	// transactions committed meanwhile.
	CPUSeconds float64 `json:"cpu_seconds"`
	// Durability: synced writes to the data directory and records written (0: ephemeral).
	Fsyncs         uint64 `json:"fsyncs"`
	DurableRecords uint64 `json:"durable_records"`
	// CryptoBackend is the library running the replica's threshold keys: gnark or circl
	// (kyber with scheme bn256).
	CryptoBackend string `json:"crypto_backend"`
	// ViewActive is false while the replica is changing view: it asked for View and has not
	// yet entered it with a NEW-VIEW. (ViewChanges counts the NEW-VIEWs it entered.)
	ViewActive bool `json:"view_active"`
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
	ClientShare     uint64 `json:"client_share"`     // client frames beyond their client's share in flight
	OutboundQueue   uint64 `json:"outbound_queue"`   // frames the transport's peer queues refused
	ClientReplies   uint64 `json:"client_replies"`   // replies with no client connection or a full queue
}

// Memory is a replica process's memory use.
type Memory struct {
	RSSBytes  uint64 `json:"rss_bytes"`  // resident set size (0 where /proc is missing)
	HeapBytes uint64 `json:"heap_bytes"` // Go heap in use
	SysBytes  uint64 `json:"sys_bytes"`  // memory obtained from the OS by the Go runtime
}

// Edges counts the connections, client ids and frames the transport refused at the edges,
// by bound (transport.Refusals).
type Edges struct {
	Pending     uint64 `json:"pending"`      // handshakes shed for a newer one beyond MaxPending(PerSource)
	Handshake   uint64 `json:"handshake"`    // handshakes malformed, misaddressed or timed out
	BadProof    uint64 `json:"bad_proof"`    // proofs of a key that did not verify
	Unknown     uint64 `json:"unknown"`      // client ids without a key in the configuration
	ClientConns uint64 `json:"client_conns"` // client connections beyond MaxClientConns(PerSource)
	ClientIDs   uint64 `json:"client_ids"`   // client ids beyond MaxClients, per connection or source
	PerClient   uint64 `json:"per_client"`   // client ids detached from their oldest connection by MaxConnsPerClient
	Replace     uint64 `json:"replace"`      // replica links replaced too soon
	Timeouts    uint64 `json:"timeouts"`     // connections cut by the idle or frame deadline
}
