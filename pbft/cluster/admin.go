package cluster

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/bftbank/pbft/pbft"
)

// AdminPortOffset is how far above its replica port a replica's admin port lies by default:
// the replica on 127.0.0.1:5001 serves its admin endpoint on 127.0.0.1:6001.
const AdminPortOffset = 1000

// AdminOff is the admin_addr (and --admin-addr) value that turns the admin endpoint off.
const AdminOff = "off"

// DerivedAdminAddr is the default admin address of the replica at addr: loopback, at the
// replica's port + AdminPortOffset. Loopback because the endpoint has no authentication
// (docs/operations.md, "Security"). Empty when addr has no port or the port would exceed
// 65535.
func DerivedAdminAddr(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p+AdminPortOffset > 65535 {
		return ""
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(p+AdminPortOffset))
}

// AdminAddrOf is replica id's admin address: its admin_addr, or the one derived from its
// replica address when the field is empty (configurations written before the field
// existed). Empty when the endpoint is off.
func (c *Config) AdminAddrOf(id pbft.NodeID) string {
	for _, r := range c.Replicas {
		if r.ID != int(id) {
			continue
		}
		switch strings.TrimSpace(r.AdminAddr) {
		case "":
			return DerivedAdminAddr(r.Addr)
		case AdminOff:
			return ""
		}
		return r.AdminAddr
	}
	return ""
}

// validateAdmin checks every admin_addr: host:port, and never a replica's protocol address
// or another replica's admin address.
func (c *Config) validateAdmin() error {
	protocol := map[string]int{}
	for _, r := range c.Replicas {
		protocol[r.Addr] = r.ID
	}
	admins := map[string]int{}
	for _, r := range c.Replicas {
		a := c.AdminAddrOf(pbft.NodeID(r.ID))
		if a == "" {
			continue
		}
		_, port, err := net.SplitHostPort(a)
		if err != nil {
			return fmt.Errorf("replica %d: admin_addr %q: want host:port or %q", r.ID, r.AdminAddr, AdminOff)
		}
		if port == "0" {
			continue
		}
		if other, ok := protocol[a]; ok {
			return fmt.Errorf("replica %d: admin_addr %s is the protocol address of replica %d", r.ID, a, other)
		}
		if other, ok := admins[a]; ok {
			return fmt.Errorf("replicas %d and %d have the same admin address %s", other, r.ID, a)
		}
		admins[a] = r.ID
	}
	return nil
}
