package runner

import (
	"fmt"
	"strings"

	"github.com/bftbank/pbft/pbft/cluster"
)

// Placement moves the replicas of a local cluster (`pbft --test`, `pbft bench`) off
// 127.0.0.1: each listens on its own host and is started through a command prefix, as the
// network-namespace test does with one namespace per replica (docs/design.md, "Several
// hosts"). The prefix must leave the child's stdin and stdout to it (the control channel)
// and see this machine's files (the configuration and keys the run writes), so it suits
// `ip netns exec`, not ssh.
type Placement struct {
	// Hosts are the replicas' hosts, n1 first: "10.1.0.1" (port base-port+i-1) or
	// "10.1.0.1:5001". Empty: 127.0.0.1.
	Hosts []string
	// Exec is the command prefix, split at spaces; "%d" is replaced by the replica's id,
	// e.g. "ip netns exec pbft-n%d". Empty: the replica runs as a plain child.
	Exec string
}

// Configure applies the hosts to a cluster configuration whose replicas start at basePort.
func (p Placement) Configure(cfg *cluster.Config, basePort int) error {
	if len(p.Hosts) == 0 {
		return nil
	}
	if err := cfg.PlaceOn(p.Hosts, basePort); err != nil {
		return fmt.Errorf("--replica-hosts: %w", err)
	}
	return nil
}

// Wrap is the launcher's command prefix.
func (p Placement) Wrap() []string { return strings.Fields(p.Exec) }

// Check validates the placement for a cluster of n replicas before anything starts.
func (p Placement) Check(n, basePort int) error {
	return p.Configure(cluster.Default((n-1)/3, basePort), basePort)
}
