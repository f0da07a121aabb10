// Package admin is the client side of a replica's admin endpoint (docs/operations.md): its
// status and its fault API, over HTTP, for `pbft status` and `pbft fault`.
package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"

	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// maxAnswer bounds an answer read from a replica.
const maxAnswer = 1 << 20

// Client talks to admin endpoints.
type Client struct {
	HTTP *http.Client
}

// Status asks the replica at addr (host:port) for its status.
func (c Client) Status(ctx context.Context, addr string) (controlapi.NodeStatus, error) {
	var st controlapi.NodeStatus
	err := c.do(ctx, http.MethodGet, addr, controlapi.PathStatus, nil, &st)
	return st, err
}

// Faults asks the replica at addr which faults it runs.
func (c Client) Faults(ctx context.Context, addr string) (controlapi.FaultState, error) {
	var st controlapi.FaultState
	err := c.do(ctx, http.MethodGet, addr, controlapi.PathFault, nil, &st)
	return st, err
}

// Fault asks the replica at addr to apply req and returns the faults it runs afterwards.
func (c Client) Fault(ctx context.Context, addr string, req controlapi.FaultRequest) (controlapi.FaultState, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return controlapi.FaultState{}, err
	}
	var st controlapi.FaultState
	err = c.do(ctx, http.MethodPost, addr, controlapi.PathFault, body, &st)
	return st, err
}

func (c Client) do(ctx context.Context, method, addr, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+addr+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("admin address %q: %w", addr, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return describe(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return describe(err)
	}
	if resp.StatusCode != http.StatusOK {
		var e controlapi.AdminError
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s (HTTP %d)", e.Error, resp.StatusCode)
		}
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("not an admin endpoint answer: %w", err)
	}
	return nil
}

// describe shortens a transport error to what an operator needs.
func describe(err error) error {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return errors.New("connection refused")
	case errors.Is(err, context.DeadlineExceeded):
		return errors.New("no answer in time")
	}
	return err
}
