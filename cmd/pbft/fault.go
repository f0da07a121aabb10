package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bftbank/pbft/cmd/pbft/internal/admin"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// faultFlags are the flags of `pbft fault`.
type faultFlags struct {
	config  clusterConfigFlag // --config
	node    string
	timeout time.Duration
}

func newFaultCommand(stdout io.Writer) *cobra.Command {
	var fl faultFlags
	c := subcommand(&cobra.Command{
		Use:   "fault --config CLUSTER.yaml --node n3 ACTION [ARGS]",
		Short: "Inject a fault into a running replica (started with --allow-faults)",
		Long: `Inject a fault into a running replica through its admin endpoint. The replica must
have been started with pbft node --allow-faults; otherwise it refuses (403).

Actions:
  pause DURATION        stop its protocol loop for DURATION (at most 10m), as if the
                        process were stopped: no message handled or sent, no timer
  sever REPLICA...      drop every frame to and from these replicas (n5, or all)
  heal                  end every sever
  byzantine ATTACK...   run these attacks, replacing attacks injected before:
                        sign, crash, time (or timing), stale-read, dark(n6, ...),
                        equivocation(n6, ...); several as "time; dark(n6)"
  clear                 end every fault injected at run time (attacks from the
                        configuration's byzantine map stay)
  show                  print the faults in force (the default)

It prints the faults in force afterwards. Watch the effect with pbft status and the
replicas' metrics.`,
		Example: `  pbft fault --config cluster.yaml --node n1 pause 5s
  pbft fault --config cluster.yaml --node n3 sever n5
  pbft fault --config cluster.yaml --node n3 heal
  pbft fault --config cluster.yaml --node n7 byzantine sign
  pbft fault --config cluster.yaml --node n1 byzantine "equivocation(n6, n7)"
  pbft fault --config cluster.yaml --node n7 clear`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return fl.run(cmd.Context(), stdout, args)
		},
	})
	f := c.Flags()
	f.StringVar(&fl.node, "node", "", "the replica: n3, S3 or 3")
	f.DurationVar(&fl.timeout, "timeout", 5*time.Second, "how long to wait for the replica")
	fl.config.bind(c)
	c.MarkFlagRequired("node")
	return c
}

func (fl *faultFlags) run(ctx context.Context, stdout io.Writer, args []string) error {
	cfg, err := fl.config.load()
	if err != nil {
		return err
	}
	id, err := pbft.ParseNodeID(fl.node, cfg.N())
	if err != nil {
		return fmt.Errorf("--node: %w", err)
	}
	addr := cfg.AdminAddrOf(id)
	if addr == "" {
		return fmt.Errorf("%s: the admin endpoint of %s is off (admin_addr: off)", fl.config.path, id)
	}
	req, show, err := faultRequest(args)
	if err != nil {
		return err
	}
	cl := admin.Client{HTTP: &http.Client{Timeout: fl.timeout}}
	var st controlapi.FaultState
	if show {
		st, err = cl.Faults(ctx, addr)
	} else {
		st, err = cl.Fault(ctx, addr, req)
	}
	if err != nil {
		return fmt.Errorf("%s (%s): %w", id, addr, err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", id, describeFaults(st, time.Now()))
	return nil
}

// faultRequest reads the action and its arguments; show is true for "show" or no action.
func faultRequest(args []string) (req controlapi.FaultRequest, show bool, err error) {
	if len(args) == 0 || args[0] == "show" {
		if len(args) > 1 {
			return req, false, fmt.Errorf("show takes no arguments")
		}
		return req, true, nil
	}
	action, rest := strings.ToLower(args[0]), args[1:]
	req.Action = action
	switch action {
	case controlapi.FaultPause:
		if len(rest) != 1 {
			return req, false, fmt.Errorf("pause takes one duration, e.g. pause 5s")
		}
		if d, err := time.ParseDuration(rest[0]); err != nil || d <= 0 {
			return req, false, fmt.Errorf("pause %q: want a positive duration such as 5s", rest[0])
		}
		req.Duration = rest[0]
	case controlapi.FaultSever:
		if len(rest) == 0 {
			return req, false, fmt.Errorf("sever needs replicas, e.g. sever n5 (or sever all)")
		}
		req.Peers = splitAttacks(strings.Join(rest, " "))
	case controlapi.FaultHeal, controlapi.FaultClear:
		if len(rest) != 0 {
			return req, false, fmt.Errorf("%s takes no arguments", action)
		}
	case controlapi.FaultByzantine:
		req.Attacks = splitAttacks(strings.Join(rest, " "))
		if len(req.Attacks) == 0 {
			return req, false, fmt.Errorf("byzantine needs attacks, e.g. byzantine sign")
		}
		for i, a := range req.Attacks {
			if strings.EqualFold(a, "timing") {
				req.Attacks[i] = "time"
			}
		}
	default:
		return req, false, fmt.Errorf("unknown action %q (want pause, sever, heal, byzantine, clear or show)", args[0])
	}
	return req, false, nil
}

// splitAttacks splits "time; dark(n6, n7) sign" into its items: separators are ';', ',' and
// spaces outside parentheses.
func splitAttacks(s string) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			out = append(out, t)
		}
		cur.Reset()
	}
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth = max(0, depth-1)
		case depth == 0 && (r == ';' || r == ',' || r == ' ' || r == '\t'):
			flush()
			continue
		}
		cur.WriteRune(r)
	}
	flush()
	return out
}

// describeFaults is one line: "no faults", or each fault in force.
func describeFaults(st controlapi.FaultState, now time.Time) string {
	var parts []string
	if st.PausedUntil != nil {
		parts = append(parts, fmt.Sprintf("paused for %.1fs more", st.PausedUntil.Sub(now).Seconds()))
	}
	if len(st.Severed) > 0 {
		parts = append(parts, "severed from "+strings.Join(st.Severed, ", "))
	}
	if len(st.Byzantine) > 0 {
		parts = append(parts, "byzantine: "+strings.Join(st.Byzantine, "; "))
	}
	if len(parts) == 0 {
		parts = append(parts, "no faults injected")
	}
	if st.Configured != "" {
		parts = append(parts, "configured byzantine: "+st.Configured)
	}
	return strings.Join(parts, "; ")
}
