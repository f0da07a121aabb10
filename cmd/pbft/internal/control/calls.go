package control

import (
	"context"

	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// Log returns the child's protocol log.
func (c *Conn) Log(ctx context.Context) ([]string, error) {
	var d controlapi.LogData
	err := c.Call(ctx, controlapi.CmdLog, 0, &d)
	return d.Lines, err
}

// Status returns the status of sequence number seq at the child: PP, P, C, E or X.
func (c *Conn) Status(ctx context.Context, seq uint64) (string, error) {
	var d controlapi.StatusData
	err := c.Call(ctx, controlapi.CmdStatus, seq, &d)
	return d.Status, err
}

// Balances returns checking + savings of every account at the child.
func (c *Conn) Balances(ctx context.Context) (map[string]int64, error) {
	var d controlapi.BalancesData
	err := c.Call(ctx, controlapi.CmdBalances, 0, &d)
	return d.Balances, err
}

// NewViews returns the NEW-VIEW messages the child sent or accepted.
func (c *Conn) NewViews(ctx context.Context) ([]controlapi.NewView, error) {
	var d controlapi.NewViewsData
	err := c.Call(ctx, controlapi.CmdNewViews, 0, &d)
	return d.NewViews, err
}

// Metrics returns the child's counters, throughput and latency.
func (c *Conn) Metrics(ctx context.Context) (controlapi.Metrics, error) {
	var d controlapi.Metrics
	err := c.Call(ctx, controlapi.CmdMetrics, 0, &d)
	return d, err
}
