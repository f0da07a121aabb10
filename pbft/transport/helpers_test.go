package transport

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/rs/zerolog"
)

// waitTimeout bounds every wait of these tests; conditions normally hold within milliseconds.
const waitTimeout = 10 * time.Second

// fastTuning keeps reconnection quick in tests.
var fastTuning = Tuning{BackoffMin: 5 * time.Millisecond, BackoffMax: 50 * time.Millisecond}

type received struct {
	from  pbft.NodeID
	frame string
}

// node is a started transport with the frames it received from replicas and clients.
type node struct {
	*Transport
	fromPeers   chan received
	fromClients chan received
}

// listenAll binds n loopback listeners on ports the OS picks and returns their addresses.
func listenAll(t testing.TB, n int) ([]net.Listener, map[pbft.NodeID]string) {
	t.Helper()
	lns := make([]net.Listener, n)
	addrs := make(map[pbft.NodeID]string)
	for i := range lns {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns[i] = ln
		addrs[pbft.NodeID(i+1)] = ln.Addr().String()
	}
	return lns, addrs
}

// startNode starts replica self; ln may be nil to listen on addrs[self]. Options edit the
// configuration before the transport is made.
func startNode(t *testing.T, self pbft.NodeID, addrs map[pbft.NodeID]string, ln net.Listener, tuning Tuning, opts ...func(*Config)) *node {
	t.Helper()
	cfg := Config{Self: self, Addrs: addrs, Listener: ln, Tuning: tuning, Keys: testKeys(self), Logger: testLogger()}
	for _, o := range opts {
		o(&cfg)
	}
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{Transport: tr, fromPeers: make(chan received, 10000), fromClients: make(chan received, 1000)}
	tr.Start(func(from pbft.NodeID, frame []byte) { n.fromPeers <- received{from, string(frame)} },
		func(c pbft.ClientID, frame []byte) { n.fromClients <- received{frame: string(c) + ":" + string(frame)} })
	t.Cleanup(func() { tr.Close() })
	return n
}

// startCluster starts replicas 1..n on OS-chosen loopback ports.
func startCluster(t *testing.T, n int, tuning Tuning, opts ...func(*Config)) ([]*node, map[pbft.NodeID]string) {
	t.Helper()
	lns, addrs := listenAll(t, n)
	nodes := make([]*node, n)
	for i := range nodes {
		nodes[i] = startNode(t, pbft.NodeID(i+1), addrs, lns[i], tuning, opts...)
	}
	return nodes, addrs
}

// expect waits for the next value on ch and checks it.
func expect(t *testing.T, ch <-chan received, want received) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("received %+v, want %+v", got, want)
		}
	case <-time.After(waitTimeout):
		t.Fatalf("timed out waiting for %+v", want)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Logf("goroutines:\n%s", buf[:runtime.Stack(buf, true)])
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// freeAddr returns a loopback address that nothing listens on right now. It is below the
// kernel's ephemeral port range, so that no outgoing connection takes it before the test's
// late-starting peer binds it.
func freeAddr(t *testing.T) string {
	t.Helper()
	for attempt := 0; attempt < 200; attempt++ {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.Intn(12000))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		ln.Close()
		return addr
	}
	t.Fatal("no free port")
	return ""
}

func msg(format string, args ...any) []byte { return []byte(fmt.Sprintf(format, args...)) }

// waitDeadline fires when a wait of these tests has lasted too long.
func waitDeadline() <-chan time.Time { return time.After(waitTimeout) }

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func testLogger() zerolog.Logger {
	if testing.Verbose() {
		return zerolog.New(zerolog.NewConsoleWriter()).Level(zerolog.DebugLevel)
	}
	return zerolog.Nop()
}
