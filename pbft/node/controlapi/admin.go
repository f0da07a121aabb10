package controlapi

import "time"

// Paths of a replica's admin endpoint (docs/operations.md).
const (
	PathStatus  = "/status"
	PathMetrics = "/metrics"
	PathFault   = "/fault"
	PathPprof   = "/debug/pprof/"
)

// CmdNode asks a replica for its NodeStatus on the control channel (the admin endpoint's
// /status answers the same).
const CmdNode = "node"

// NodeStatus is a replica's answer to /status.
type NodeStatus struct {
	ID         string `json:"id"`
	View       uint64 `json:"view"`
	ViewActive bool   `json:"view_active"` // false while the replica changes view
	Leader     string `json:"leader"`      // of View
	Executed   uint64 `json:"executed"`    // the last executed slot
	Stable     uint64 `json:"stable"`      // the stable checkpoint
	// TimerBaseMS is the base of the request, leader-silence and NEW-VIEW timers now: timers.
	// view_change, or the larger base learned from the slots' latency (docs/protocol.md, "Timer
	// adaptation"). Absent in a Stale answer.
	TimerBaseMS float64 `json:"timer_base_ms,omitempty"`
	// StateDigest is the digest of the executed state (hex), comparable between replicas at
	// the same Executed slot. Empty in a Stale answer.
	StateDigest string `json:"state_digest,omitempty"`
	// MoneyTotal is checking + savings over every account at Executed, for a client (such as
	// pbft bench --config) to check that money is conserved. Absent in a Stale answer.
	MoneyTotal *int64 `json:"money_total,omitempty"`
	// Peers is every other replica and whether its link is connected now.
	Peers          map[string]bool `json:"peers"`
	ConnectedPeers int             `json:"connected_peers"`
	LastViewChange *ViewChangeInfo `json:"last_view_change,omitempty"`
	UpSince        time.Time       `json:"up_since"`
	// Stale is true when the protocol loop did not answer in time (paused, or overloaded):
	// the values are those the loop last published, at most a fraction of a second older
	// than the pause.
	Stale  bool        `json:"stale,omitempty"`
	Faults *FaultState `json:"faults,omitempty"` // only on a replica started with --allow-faults
}

// ViewChangeInfo is the last view change a replica saw: when it started it (or was told of
// it) and when it entered the view.
type ViewChangeInfo struct {
	View    uint64    `json:"view"`
	Started time.Time `json:"started,omitzero"`
	Entered time.Time `json:"entered,omitzero"`
}

// Fault actions of FaultRequest.
const (
	FaultPause     = "pause"
	FaultSever     = "sever"
	FaultHeal      = "heal"
	FaultByzantine = "byzantine"
	FaultClear     = "clear"
)

// FaultRequest is the body of POST /fault: one action.
//
//	{"action": "pause", "duration": "5s"}     stop the protocol loop for a while
//	{"action": "sever", "peers": ["n5"]}      drop every frame to and from these replicas
//	{"action": "heal"}                        end every sever
//	{"action": "byzantine", "attacks": ["sign"]}  run these attacks (replacing earlier ones)
//	{"action": "clear"}                       end every fault injected at run time
type FaultRequest struct {
	Action   string   `json:"action"`
	Duration string   `json:"duration,omitempty"`
	Peers    []string `json:"peers,omitempty"`
	Attacks  []string `json:"attacks,omitempty"`
}

// FaultState is what faults a replica runs now; it answers GET and POST /fault.
type FaultState struct {
	PausedUntil *time.Time `json:"paused_until,omitempty"`
	Severed     []string   `json:"severed"`
	// Byzantine lists the attacks injected at run time; Configured the ones the cluster
	// configuration gave the replica at start (they stay after clear).
	Byzantine  []string `json:"byzantine"`
	Configured string   `json:"configured,omitempty"`
}

// AdminError is the body of an admin endpoint's error answer.
type AdminError struct {
	Error string `json:"error"`
}
