package control

import (
	"encoding/json"

	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// Commands of the control channel.
const (
	CmdLog      = controlapi.CmdLog
	CmdStatus   = controlapi.CmdStatus
	CmdBalances = controlapi.CmdBalances
	CmdNewViews = controlapi.CmdNewViews
	CmdMetrics  = controlapi.CmdMetrics
	CmdQuit     = controlapi.CmdQuit
)

// EventReady is the event a child sends once it listens on its address.
const EventReady = controlapi.EventReady

// Response is one line from a child: the answer to the request with the same ID, or an event
// (ID 0). Data stays raw until the caller decodes it into the type of its command.
type Response struct {
	ID    int64           `json:"id"`
	OK    bool            `json:"ok"`
	Error string          `json:"error"`
	Data  json.RawMessage `json:"data"`
}

// The messages of the channel are defined once, in package controlapi, which the replica
// (pbft/node) uses to build them.
type (
	// Request is one command line sent to a child.
	Request = controlapi.Request
	// Event is the data of an event line.
	Event = controlapi.Event
	// LogData answers CmdLog.
	LogData = controlapi.LogData
	// StatusData answers CmdStatus.
	StatusData = controlapi.StatusData
	// BalancesData answers CmdBalances.
	BalancesData = controlapi.BalancesData
	// NewViewsData answers CmdNewViews.
	NewViewsData = controlapi.NewViewsData
	// NewView is a NEW-VIEW message a replica sent or accepted.
	NewView = controlapi.NewView
	// ViewChange is one VIEW-CHANGE inside a NEW-VIEW.
	ViewChange = controlapi.ViewChange
	// Prepared is a certificate reported for a slot.
	Prepared = controlapi.Prepared
	// Vote is a fast-path vote reported for a slot.
	Vote = controlapi.Vote
	// PrePrepare is one entry of O.
	PrePrepare = controlapi.PrePrepare
	// Metrics answers CmdMetrics.
	Metrics = controlapi.Metrics
	// Latency summarizes request latency at a replica, in milliseconds.
	Latency = controlapi.Latency
	// Rejected counts the messages a replica rejected, by reason.
	Rejected = controlapi.Rejected
	// Dropped counts the frames a replica dropped without judging them.
	Dropped = controlapi.Dropped
	// Memory is a replica process's memory use.
	Memory = controlapi.Memory
)
