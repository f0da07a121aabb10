package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/bftbank/pbft/pbft/node/controlapi"
	"github.com/bftbank/pbft/scenario"
)

// Report is the JSON that --report writes (README, "Scenario file grammar").
type Report struct {
	File string `json:"file"`
	// Warnings are the scenario file's rows that parse but look like mistakes
	// (scenario.File.Warnings), as "file:line: set N: problem".
	Warnings   []string    `json:"warnings,omitempty"`
	Sets       []SetReport `json:"sets"`
	DurationMS float64     `json:"duration_ms"`
}

// SetReport is one set: its faults, every operation's outcome, and every replica's state.
type SetReport struct {
	Set          string                      `json:"set"`
	Line         int                         `json:"line"`
	Live         []string                    `json:"live"`
	Byzantine    []string                    `json:"byzantine"`
	Attacks      []string                    `json:"attacks"`
	Transactions []TxnReport                 `json:"transactions"`
	Balances     map[string]map[string]int64 `json:"balances"` // replica -> account -> balance
	Expected     map[string]int64            `json:"expected"` // sequential execution in file order
	// ExpectedCommitted executes only the operations that committed, in file order.
	ExpectedCommitted map[string]int64              `json:"expected_committed"`
	Status            map[string]map[string]string  `json:"status"` // seq -> replica -> PP, P, C, E or X
	NewViews          []controlapi.NewView          `json:"new_views"`
	ViewChanges       uint64                        `json:"view_changes"`
	View              uint64                        `json:"view"`
	Converged         bool                          `json:"converged"`
	Metrics           map[string]controlapi.Metrics `json:"metrics"`
	Problems          []string                      `json:"problems,omitempty"`
	DurationMS        float64                       `json:"duration_ms"`
	// Linearizable is the porcupine check of the clients' history (issue 17); History is the
	// HTML visualization of a history that failed.
	Linearizable bool   `json:"linearizable"`
	History      string `json:"history,omitempty"`
}

// TxnReport is one operation. A cell with several operations gives one entry per operation,
// with the same line. Result is on every row (docs/scenarios.md, "The report"): ok or the
// failure reason of a committed operation, why it did not commit otherwise.
type TxnReport struct {
	Text      string  `json:"text"`
	Line      int     `json:"line"`
	Client    string  `json:"client"`
	Outcome   string  `json:"outcome"`
	Result    string  `json:"result"`
	Seq       uint64  `json:"seq,omitempty"`
	View      uint64  `json:"view,omitempty"`
	ReadOnly  bool    `json:"read_only,omitempty"`
	LatencyMS float64 `json:"latency_ms"`
	Value     *int64  `json:"value,omitempty"`
	Error     string  `json:"error,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (s *setRun) report() SetReport {
	f := &s.facts
	rep := SetReport{
		Set: s.set.Number, Line: s.set.Line, Live: scenario.ReplicaNames(s.set.Live),
		Byzantine: scenario.ReplicaNames(s.set.Byzantine), Attacks: attackStrings(s.set.Attacks),
		Transactions: []TxnReport{}, Balances: map[string]map[string]int64{},
		Expected: s.r.expectedBalances(s.index), ExpectedCommitted: s.expectedCommitted(), Status: map[string]map[string]string{},
		NewViews: f.newViews, ViewChanges: f.viewChanges, View: max(f.view, 1), Converged: f.converged, // views start at 1, also with no replica live
		Metrics: map[string]controlapi.Metrics{}, Problems: f.problems, DurationMS: ms(f.duration),
		Linearizable: s.verdict.result.Linearizable(), History: s.verdict.html,
	}
	for _, res := range s.flatResults() {
		rep.Transactions = append(rep.Transactions, res.report())
	}
	for id, b := range f.balances {
		rep.Balances[nodeName(id)] = b
	}
	for id, m := range f.metrics {
		rep.Metrics[nodeName(id)] = m
	}
	for seq, byReplica := range f.status {
		row := map[string]string{}
		for id, st := range byReplica {
			row[nodeName(id)] = st
		}
		rep.Status[strconv.FormatUint(seq, 10)] = row
	}
	return rep
}

func (res opResult) report() TxnReport {
	t := TxnReport{Text: res.plan.text, Line: res.line, Client: res.plan.client, Outcome: res.outcome,
		Seq: res.seq, View: res.view, ReadOnly: res.readOnly, LatencyMS: ms(res.latency), Error: res.errorText}
	if res.outcome != outcomeCommitted {
		t.Result = res.errorText // why it did not commit, as the printed table's result column
		if t.Result == "" {
			t.Result = outcomeNotCommitted
		}
		return t
	}
	t.Result = res.result.String()
	if res.plan.op.ReadOnly() && res.result.OK {
		v := res.result.Value
		t.Value = &v
	}
	return t
}

func nodeName(id int) string { return fmt.Sprintf("n%d", id) }

// writeReport writes the JSON report, if one was asked for.
func (r *run) writeReport() error {
	if r.opts.ReportPath == "" {
		return nil
	}
	r.report.DurationMS = ms(time.Since(r.started))
	b, err := json.MarshalIndent(r.report, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.WriteFile(r.opts.ReportPath, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
