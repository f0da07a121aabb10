package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bftbank/pbft/client"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/smallbank"
)

// clientResult is what `pbft client --json` prints: the fields of a transaction in the
// scenario report (README "Running a scenario file"), for scripts.
type clientResult struct {
	Operation string  `json:"operation"`
	Outcome   string  `json:"outcome"`         // committed or not-committed
	Result    string  `json:"result"`          // ok, the failure reason, or why it did not commit
	Value     *int64  `json:"value,omitempty"` // the balance a read returned
	Seq       uint64  `json:"seq,omitempty"`   // absent for a read answered from the replicas' state
	View      uint64  `json:"view,omitempty"`
	ReadOnly  bool    `json:"read_only,omitempty"`
	LatencyMS float64 `json:"latency_ms,omitempty"`
	Error     string  `json:"error,omitempty"` // why it did not commit
}

// printOutcomeJSON prints the outcome as one JSON object; exit statuses are those of
// printOutcome.
func printOutcomeJSON(w io.Writer, op smallbank.Op, out client.Outcome) error {
	res, err := smallbank.DecodeResult(out.Result)
	if err != nil {
		return fmt.Errorf("%s: undecodable result: %w", op, err)
	}
	r := clientResult{Operation: op.String(), Outcome: "committed", Result: "ok", ReadOnly: out.ReadOnly,
		LatencyMS: float64(out.Latency.Microseconds()) / 1000}
	if !out.ReadOnly {
		r.Seq, r.View = uint64(out.Seq), uint64(out.View)
	}
	if !res.OK {
		r.Result = res.Reason
	} else if op.ReadOnly() {
		r.Value = &res.Value
	}
	if err := writeJSON(w, r); err != nil {
		return err
	}
	if !res.OK {
		return &exitError{code: 2}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// clientNames lists the clients the cluster's public keys know, sorted, shortened.
func clientNames(pub *crypto.ClusterPublic) string {
	names := make([]string, 0, len(pub.Clients))
	for n := range pub.Clients {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) > 12 {
		names = append(names[:12], "...")
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
