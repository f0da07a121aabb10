package control

import "encoding/json"

// Commands of the control channel.
const (
	CmdLog      = "log"
	CmdStatus   = "status"
	CmdBalances = "balances"
	CmdNewViews = "newviews"
	CmdMetrics  = "metrics"
	CmdQuit     = "quit"
)

// EventReady is the event a child sends once it listens on its address.
const EventReady = "ready"

// Request is one command line sent to a child.
type Request struct {
	ID  int64  `json:"id"`
	Cmd string `json:"cmd"`
	Seq uint64 `json:"seq,omitempty"`
}

// Response is one line from a child: the answer to the request with the same ID, or an event
// (ID 0).
type Response struct {
	ID    int64           `json:"id"`
	OK    bool            `json:"ok"`
	Error string          `json:"error"`
	Data  json.RawMessage `json:"data"`
}

// Event is the data of an event line.
type Event struct {
	Event string `json:"event"`
}

// LogData answers CmdLog: the replica's readable protocol log, oldest line first.
type LogData struct {
	Lines []string `json:"lines"`
}

// StatusData answers CmdStatus: PP, P, C, E or X for the requested sequence number.
type StatusData struct {
	Status string `json:"status"`
}

// BalancesData answers CmdBalances: checking + savings of every account.
type BalancesData struct {
	Balances map[string]int64 `json:"balances"`
}

// NewViewsData answers CmdNewViews.
type NewViewsData struct {
	NewViews []NewView `json:"new_views"`
}

// NewView is a NEW-VIEW message a replica sent or accepted: V (the view changes) and O (the
// pre-prepares computed from them).
type NewView struct {
	View        uint64       `json:"view"`
	ViewChanges []ViewChange `json:"view_changes"`
	PrePrepares []PrePrepare `json:"pre_prepares"`
}

// ViewChange is one VIEW-CHANGE inside a NEW-VIEW.
type ViewChange struct {
	Replica  int        `json:"replica"`
	Stable   uint64     `json:"stable"`
	Prepared []Prepared `json:"prepared"`
	Votes    []Vote     `json:"votes"`
}

// Prepared is a certificate (PREPARE-CERT or FULL-COMMIT-PROOF) reported for a slot.
type Prepared struct {
	Seq    uint64 `json:"seq"`
	View   uint64 `json:"view"`
	Type   string `json:"type"`
	Digest string `json:"digest"`
}

// Vote is a fast-path vote reported for a slot.
type Vote struct {
	Seq    uint64 `json:"seq"`
	View   uint64 `json:"view"`
	Digest string `json:"digest"`
}

// PrePrepare is one entry of O.
type PrePrepare struct {
	Seq      uint64 `json:"seq"`
	Digest   string `json:"digest"`
	Requests int    `json:"requests"`
	Noop     bool   `json:"noop"`
}

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
	MoneyTotal       int64    `json:"money_total"` // checking + savings over every account
	Accounts         int      `json:"accounts"`
	Memory           Memory   `json:"memory"`
}

// Memory is a replica process's memory use.
type Memory struct {
	RSSBytes  uint64 `json:"rss_bytes"`  // resident set size (0 where /proc is missing)
	HeapBytes uint64 `json:"heap_bytes"` // Go heap in use
	SysBytes  uint64 `json:"sys_bytes"`  // memory obtained from the OS by the Go runtime
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
