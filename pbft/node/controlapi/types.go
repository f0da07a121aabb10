package controlapi

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

// Request is one command line sent to a child: {"id": 7, "cmd": "status", "seq": 3}.
type Request struct {
	ID  int64  `json:"id"`
	Cmd string `json:"cmd"`
	Seq uint64 `json:"seq,omitempty"`
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
