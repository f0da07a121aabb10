package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// wanDelay is one delay setting of the namespace test: the one-way delay and jitter of every
// packet inside a region, and the extra one-way delay between the two regions.
type wanDelay struct {
	name        string
	intra       time.Duration
	jitter      time.Duration
	interRegion time.Duration // added between regions
}

// The regions of the seven-host topology: n1..n4 (with the clients) and n5..n7. Every quorum
// of 2f+1 = 5 holds a replica of each region, so the inter-region delay is on every
// commit's critical path.
var regionB = map[int]bool{5: true, 6: true, 7: true}

// netnsTopology is the test's network: one namespace per replica and one for the clients,
// each with a veth pair to a bridge in a namespace of its own. Nothing is created in the
// host's network namespace, and every name starts with a random prefix, so parallel runs
// do not clash.
type netnsTopology struct {
	t       *testing.T
	ip      string // path of ip(8)
	prefix  string // "pb" + 6 hex digits
	bridge  string // namespace of the bridge
	clients string // namespace of the clients (the pbft --test or bench process)
	n       int
}

const netnsSubnet = "10.77.0." // /24 inside the test's own namespaces only

// replicaNS is the namespace of replica id (1-based).
func (tp *netnsTopology) replicaNS(id int) string { return fmt.Sprintf("%s-n%d", tp.prefix, id) }

// replicaAddr is replica id's address.
func (tp *netnsTopology) replicaAddr(id int) string { return fmt.Sprintf("%s%d", netnsSubnet, id) }

const clientAddr = netnsSubnet + "100"

// replicaHosts is the --replica-hosts value.
func (tp *netnsTopology) replicaHosts() string {
	hosts := make([]string, tp.n)
	for i := range hosts {
		hosts[i] = tp.replicaAddr(i + 1)
	}
	return strings.Join(hosts, ",")
}

// replicaExec is the --replica-exec value: each replica in its own namespace.
func (tp *netnsTopology) replicaExec() string {
	return fmt.Sprintf("%s netns exec %s-n%%d", tp.ip, tp.prefix)
}

// inClients makes a command that runs in the clients' namespace.
func (tp *netnsTopology) inClients(name string, args ...string) *exec.Cmd {
	return exec.Command(tp.ip, append([]string{"netns", "exec", tp.clients, name}, args...)...)
}

// skipUnlessNetns skips the test, saying why, where namespaces cannot be made: not Linux,
// not root (CAP_NET_ADMIN), no ip(8), or a sandbox that refuses `ip netns add`.
func skipUnlessNetns(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("network namespaces need Linux")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_NET_ADMIN) to create network namespaces; run as root, e.g. sudo -E go test ./cmd/pbft -run Netns")
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("needs ip(8) from iproute2 to create network namespaces")
	}
	probe := "pbprobe-" + randomHex(t, 3)
	if out, err := exec.Command(ip, "netns", "add", probe).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace here (no CAP_NET_ADMIN?): ip netns add: %v: %s", err, strings.TrimSpace(string(out)))
	}
	if out, err := exec.Command(ip, "netns", "del", probe).CombinedOutput(); err != nil {
		t.Fatalf("ip netns del %s: %v: %s", probe, err, out)
	}
	return ip
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// newNetnsTopology builds the bridge and n+1 hosts. Everything it makes is removed by
// t.Cleanup, also when the test fails half-way: each namespace is registered for deletion
// as soon as it exists (deleting a namespace deletes the veth ends in it, and so the pairs).
func newNetnsTopology(t *testing.T, ip string, n int) *netnsTopology {
	tp := &netnsTopology{t: t, ip: ip, prefix: "pb" + randomHex(t, 3), n: n}
	tp.bridge, tp.clients = tp.prefix+"-br", tp.prefix+"-cl"
	tp.addNS(tp.bridge)
	tp.run("-n", tp.bridge, "link", "set", "lo", "up")
	tp.run("-n", tp.bridge, "link", "add", "br0", "type", "bridge")
	tp.run("-n", tp.bridge, "link", "set", "br0", "up")
	for id := 1; id <= n; id++ {
		tp.addHost(tp.replicaNS(id), fmt.Sprintf("v%d", id), tp.replicaAddr(id))
	}
	tp.addHost(tp.clients, "vcl", clientAddr)
	return tp
}

func (tp *netnsTopology) addNS(name string) {
	tp.run("netns", "add", name)
	tp.t.Cleanup(func() {
		tp.killIn(name)
		if out, err := exec.Command(tp.ip, "netns", "del", name).CombinedOutput(); err != nil {
			tp.t.Errorf("removing namespace %s: %v: %s", name, err, out)
		}
	})
}

// killIn kills what still runs in namespace ns (replicas of a run that was killed on its
// deadline; they also exit by themselves when their control channel closes), so that the
// namespace really goes away.
func (tp *netnsTopology) killIn(ns string) {
	out, err := exec.Command(tp.ip, "netns", "pids", ns).Output()
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
			tp.t.Logf("killing process %d left in namespace %s", pid, ns)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// addHost makes namespace ns with address addr on its eth0, whose peer (named port in the
// bridge's namespace) is a port of the bridge.
func (tp *netnsTopology) addHost(ns, port, addr string) {
	tp.addNS(ns)
	tp.run("-n", tp.bridge, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
	tp.run("-n", tp.bridge, "link", "set", port, "master", "br0", "up")
	tp.run("-n", ns, "addr", "add", addr+"/24", "dev", "eth0")
	tp.run("-n", ns, "link", "set", "eth0", "up")
	tp.run("-n", ns, "link", "set", "lo", "up")
}

// run runs ip(8) and fails the test on an error.
func (tp *netnsTopology) run(args ...string) {
	tp.t.Helper()
	tp.runTool(tp.ip, args...)
}

func (tp *netnsTopology) runTool(tool string, args ...string) {
	tp.t.Helper()
	if out, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
		tp.t.Fatalf("%s %s: %v: %s", tool, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
}

// hosts lists every namespace that sends into the bridge with its address, replicas first.
func (tp *netnsTopology) hosts() (names, addrs []string) {
	for id := 1; id <= tp.n; id++ {
		names, addrs = append(names, tp.replicaNS(id)), append(addrs, tp.replicaAddr(id))
	}
	return append(names, tp.clients), append(addrs, clientAddr)
}

// regionOf is the region of the host at addr: "B" for n5..n7, "A" otherwise.
func (tp *netnsTopology) regionOf(addr string) string {
	for id := range regionB {
		if addr == tp.replicaAddr(id) {
			return "B"
		}
	}
	return "A"
}
