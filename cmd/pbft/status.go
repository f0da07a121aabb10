package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/cmd/pbft/internal/admin"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// statusFlags are the flags of `pbft status`.
type statusFlags struct {
	config  clusterConfigFlag // --config
	json    bool
	timeout time.Duration
}

func newStatusCommand(stdout io.Writer) *cobra.Command {
	var fl statusFlags
	c := subcommand(&cobra.Command{
		Use:   "status --config CLUSTER.yaml",
		Short: "Ask every replica's admin endpoint for its status and print one table",
		Long: `Ask every replica of the configuration for its status, on its admin address
(admin_addr in the configuration, else 127.0.0.1 at its replica port + 1000), and
print one line per replica: up or down, view (with "changing" while a view change is
under way), leader, last executed slot, stable checkpoint, state digest prefix,
connected peers, and faults injected at run time. A replica whose protocol loop does
not answer within a second (paused, overloaded) is shown "stale" with the values it
last published. Exits 1 when a replica does not answer.`,
		Example: `  pbft status --config cluster.yaml
  pbft status --config cluster.yaml --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fl.run(cmd.Context(), stdout)
		},
	})
	f := c.Flags()
	f.BoolVar(&fl.json, "json", false, "print JSON instead of a table")
	f.DurationVar(&fl.timeout, "timeout", 3*time.Second, "how long to wait for each replica")
	fl.config.bind(c)
	return c
}

// replicaStatus is one replica's line of `pbft status --json`.
type replicaStatus struct {
	ID     string                 `json:"id"`
	Admin  string                 `json:"admin_addr"`
	Up     bool                   `json:"up"`
	Error  string                 `json:"error,omitempty"`
	Status *controlapi.NodeStatus `json:"status,omitempty"`
}

func (fl *statusFlags) run(ctx context.Context, stdout io.Writer) error {
	if fl.timeout <= 0 {
		return fmt.Errorf("--timeout %v: want a positive duration", fl.timeout)
	}
	cfg, err := fl.config.load()
	if err != nil {
		return err
	}
	all := askAll(ctx, cfg, fl.timeout)
	if fl.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"replicas": all}); err != nil {
			return err
		}
	} else {
		printStatus(stdout, all, time.Now())
	}
	down := 0
	for _, r := range all {
		if !r.Up {
			down++
		}
	}
	if down > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d of %d replicas did not answer", down, len(all))}
	}
	return nil
}

// askAll asks every replica in parallel.
func askAll(ctx context.Context, cfg *cluster.Config, timeout time.Duration) []replicaStatus {
	cl := admin.Client{HTTP: &http.Client{Timeout: timeout}}
	out := make([]replicaStatus, cfg.N())
	var wg sync.WaitGroup
	for i := range out {
		id := pbft.NodeID(i + 1)
		out[i] = replicaStatus{ID: id.String(), Admin: cfg.AdminAddrOf(id)}
		if out[i].Admin == "" {
			out[i].Error = "admin endpoint off in the configuration"
			continue
		}
		wg.Go(func() {
			st, err := cl.Status(ctx, out[i].Admin)
			if err != nil {
				out[i].Error = err.Error()
				return
			}
			out[i].Up, out[i].Status = true, &st
		})
	}
	wg.Wait()
	return out
}

// printStatus prints the table and a summary line.
func printStatus(w io.Writer, all []replicaStatus, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tstate\tview\tleader\texecuted\tstable\tdigest\tpeers\tnotes")
	for _, r := range all {
		if !r.Up {
			fmt.Fprintf(tw, "%s\tdown\t-\t-\t-\t-\t-\t-\t%s (%s)\n", r.ID, r.Error, r.Admin)
			continue
		}
		st := r.Status
		state, view := "up", fmt.Sprint(st.View)
		if st.Stale {
			state = "stale"
		}
		if !st.ViewActive {
			view += " (changing)"
		}
		digest := st.StateDigest
		if len(digest) > 8 {
			digest = digest[:8]
		}
		if digest == "" {
			digest = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%d/%d\t%s\n", r.ID, state, view, st.Leader, st.Executed,
			st.Stable, digest, st.ConnectedPeers, len(st.Peers), notes(st, now))
	}
	tw.Flush()
	fmt.Fprintln(w, summary(all))
}

// notes lists the faults in force and the last view change.
func notes(st *controlapi.NodeStatus, now time.Time) string {
	var parts []string
	if f := st.Faults; f != nil {
		if f.PausedUntil != nil {
			parts = append(parts, fmt.Sprintf("paused %.1fs more", f.PausedUntil.Sub(now).Seconds()))
		}
		if len(f.Severed) > 0 {
			parts = append(parts, "severed from "+strings.Join(f.Severed, ","))
		}
		if len(f.Byzantine) > 0 {
			parts = append(parts, "byzantine "+strings.Join(f.Byzantine, "; "))
		}
		if f.Configured != "" {
			parts = append(parts, "configured byzantine "+f.Configured)
		}
	}
	if vc := st.LastViewChange; vc != nil && vc.View > 1 && !vc.Started.IsZero() {
		parts = append(parts, fmt.Sprintf("view %d since %s ago", vc.View, now.Sub(vc.Started).Round(100*time.Millisecond)))
	}
	return strings.Join(parts, "; ")
}

// summary is one line: how many answered, the views they are in, and whether the replicas at
// the highest executed slot agree on the digest.
func summary(all []replicaStatus) string {
	up, views := 0, map[uint64]int{}
	var top uint64
	digests := map[string]int{}
	for _, r := range all {
		if r.Up {
			up++
			views[r.Status.View]++
			top = max(top, r.Status.Executed)
		}
	}
	for _, r := range all {
		if r.Up && r.Status.Executed == top && r.Status.StateDigest != "" {
			digests[r.Status.StateDigest]++
		}
	}
	vs := make([]uint64, 0, len(views))
	for v := range views {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i] < vs[j] })
	var vparts []string
	for _, v := range vs {
		vparts = append(vparts, fmt.Sprintf("view %d on %d", v, views[v]))
	}
	s := fmt.Sprintf("%d of %d up; %s; highest executed slot %d", up, len(all), strings.Join(vparts, ", "), top)
	switch len(digests) {
	case 0:
	case 1:
		for _, n := range digests {
			s += fmt.Sprintf(" (%d replicas there, same digest)", n)
		}
	default:
		s += fmt.Sprintf(" (DIFFERENT digests among the replicas there: %d)", len(digests))
	}
	return s
}
