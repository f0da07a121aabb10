package cluster

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// PlaceOn puts replica i on hosts[i-1]: an entry is a host (an IP address or a name), which
// gets port basePort+i-1 as in Default, or a host:port. It is how a cluster leaves
// 127.0.0.1: `pbft keygen --replica-hosts`, and `pbft --test` and `pbft bench` on replicas in
// network namespaces (docs/design.md, "Several hosts").
func (c *Config) PlaceOn(hosts []string, basePort int) error {
	if len(hosts) != c.N() {
		return fmt.Errorf("%d replica hosts for %d replicas: give one per replica, n1 first", len(hosts), c.N())
	}
	for i, h := range hosts {
		addr, err := replicaAddr(strings.TrimSpace(h), basePort+i)
		if err != nil {
			return fmt.Errorf("replica host %d %q: %w", i+1, h, err)
		}
		c.Replicas[i] = Replica{ID: i + 1, Addr: addr}
	}
	return c.validateReplicas()
}

// replicaAddr is host:port for a host given with or without its port.
func replicaAddr(h string, port int) (string, error) {
	if h == "" {
		return "", fmt.Errorf("empty")
	}
	if host, p, err := net.SplitHostPort(h); err == nil {
		if host == "" {
			return "", fmt.Errorf("no host before the port")
		}
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("port %q: want 1..65535", p)
		}
		return h, nil
	}
	if strings.ContainsAny(h, " /") || strings.Count(h, ":") == 1 {
		return "", fmt.Errorf("want a host or host:port")
	}
	if port < 1 || port > 65535 {
		return "", fmt.Errorf("port %d out of range", port)
	}
	return net.JoinHostPort(h, strconv.Itoa(port)), nil
}
