package main

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Two ways to delay the topology's packets, chosen per machine:
//
//   - netem, the usual one: on every host's eth0 an htb root with two classes, a netem leaf
//     each (in-region and inter-region delay) and a u32 filter per address of the other
//     region. `rate` keeps netem from reordering a flow's packets when jitter draws a
//     shorter delay for a later packet (a WAN path is FIFO; reordering makes TCP retransmit
//     and measures TCP's recovery instead of the protocol).
//   - nfqueue, where the kernel has no sch_netem (CONFIG_NET_SCH_NETEM off, as in some VM
//     kernels): the bridge's namespace sends every bridged IPv4 packet to an NFQUEUE
//     (br_netfilter + iptables), and the test holds each packet's verdict for the same
//     delay, in FIFO order per source and destination (nfqueueDelayer). The packets are
//     the kernel's own; only the waiting happens in the test process.

// delayMethod names how applyDelay delays packets.
type delayMethod string

const (
	delayNetem   delayMethod = "netem"
	delayNfqueue delayMethod = "nfqueue"
)

// errNoDelay says that neither method works on this machine.
var errNoDelay = errors.New("no way to delay packets here")

// chooseDelay probes netem (in the bridge's namespace, on its loopback), then nfqueue's
// requirements. The error says what is missing.
func (tp *netnsTopology) chooseDelay() (delayMethod, error) {
	tc, err := exec.LookPath("tc")
	if err == nil {
		out, err := exec.Command(tc, "-n", tp.bridge, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms").CombinedOutput()
		if err == nil {
			tp.runTool(tc, "-n", tp.bridge, "qdisc", "del", "dev", "lo", "root")
			return delayNetem, nil
		}
		if !strings.Contains(string(out), "unknown") {
			return "", fmt.Errorf("tc qdisc add netem: %v: %s", err, strings.TrimSpace(string(out)))
		}
	}
	why := "no tc(8)"
	if err == nil {
		why = "the kernel has no sch_netem"
	}
	if _, err := exec.LookPath("iptables"); err != nil {
		return "", fmt.Errorf("%w: %s, and no iptables(8) for the NFQUEUE fallback (apt-get install iptables)", errNoDelay, why)
	}
	return delayNfqueue, nil
}

// applyDelay delays every packet between the topology's hosts as d says, and returns how.
func (tp *netnsTopology) applyDelay(d wanDelay) (delayMethod, error) {
	if d.intra == 0 && d.interRegion == 0 {
		return "", nil
	}
	method, err := tp.chooseDelay()
	if err != nil {
		return "", err
	}
	switch method {
	case delayNetem:
		tp.applyNetem(d)
	case delayNfqueue:
		if err := tp.applyNfqueue(d); err != nil {
			return "", err
		}
	}
	return method, nil
}

// applyNetem puts the netem qdiscs on every host's eth0 (egress: each packet is delayed once,
// by its sender).
func (tp *netnsTopology) applyNetem(d wanDelay) {
	tc, _ := exec.LookPath("tc")
	netem := func(delay time.Duration) []string {
		return []string{"netem", "limit", "100000", "delay", ms(delay), ms(d.jitter), "rate", "10gbit"}
	}
	names, addrs := tp.hosts()
	for i, ns := range names {
		dev := []string{"-n", ns}
		if d.interRegion == 0 {
			tp.runTool(tc, append(append(dev, "qdisc", "add", "dev", "eth0", "root"), netem(d.intra)...)...)
			continue
		}
		tp.runTool(tc, append(dev, "qdisc", "add", "dev", "eth0", "root", "handle", "1:", "htb", "default", "10")...)
		for _, c := range []struct {
			class string
			delay time.Duration
		}{{"10", d.intra}, {"20", d.intra + d.interRegion}} {
			class, delay := c.class, c.delay
			tp.runTool(tc, append(dev, "class", "add", "dev", "eth0", "parent", "1:", "classid", "1:"+class, "htb", "rate", "10gbit")...)
			tp.runTool(tc, append(append(dev, "qdisc", "add", "dev", "eth0", "parent", "1:"+class, "handle", class+":"), netem(delay)...)...)
		}
		for _, other := range addrs {
			if tp.regionOf(other) != tp.regionOf(addrs[i]) {
				tp.runTool(tc, append(dev, "filter", "add", "dev", "eth0", "parent", "1:", "protocol", "ip",
					"u32", "match", "ip", "dst", other+"/32", "flowid", "1:20")...)
			}
		}
	}
}

// applyNfqueue queues every bridged IPv4 packet in the bridge's namespace and starts the
// delayer that releases them; both go away with the namespace and the test.
func (tp *netnsTopology) applyNfqueue(d wanDelay) error {
	tp.run("netns", "exec", tp.bridge, "sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=1")
	dl, err := startNfqueueDelayer(tp.bridge, func(src, dst string) time.Duration {
		if tp.regionOf(src) != tp.regionOf(dst) {
			return d.intra + d.interRegion
		}
		return d.intra
	}, d.jitter)
	if err != nil {
		return err
	}
	tp.t.Cleanup(func() {
		if n := dl.stop(); n > 0 {
			tp.t.Logf("nfqueue delayer: %d packets could not be released", n)
		}
	})
	tp.run("netns", "exec", tp.bridge, "iptables", "-w", "-A", "FORWARD", "-j", "NFQUEUE", "--queue-num", "0")
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%gms", float64(d)/float64(time.Millisecond)) }
