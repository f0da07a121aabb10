package node

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// waitTimeout bounds every wait of these tests; conditions normally hold within a second.
const waitTimeout = 15 * time.Second

// testAccounts are opened with checking 10 on every replica, as in scenario mode.
var testAccounts = []string{"A", "B", "C", "D", "E"}

var (
	keysOnce sync.Once
	keys     *crypto.ClusterKeys
	keysErr  error
)

// testKeys deals the cluster's keys once per test binary, deterministically.
func testKeys(t testing.TB) *crypto.ClusterKeys {
	t.Helper()
	keysOnce.Do(func() {
		seed := []byte("pbft/node tests")
		keys, keysErr = crypto.DealCluster(crypto.SchemeBLS12381, 7, 2, seed)
		if keysErr == nil {
			keysErr = keys.AddClients(seed, testAccounts...)
		}
	})
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return keys
}

// testLogger is silent unless PBFT_NODE_DEBUG is set.
func testLogger(t testing.TB) zerolog.Logger {
	if os.Getenv("PBFT_NODE_DEBUG") == "" {
		return zerolog.Nop()
	}
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.DebugLevel)
}

// testCluster is seven replicas on loopback ports the OS chose, some of them running.
type testCluster struct {
	cfg   *cluster.Config
	keys  *crypto.ClusterKeys
	nodes map[pbft.NodeID]*testNode
}

// testNode is a running replica with its control channel.
type testNode struct {
	id     pbft.NodeID
	ctl    *ctlClient
	ready  controlResponse
	cancel context.CancelFunc
	result chan error
}

// startCluster starts the replicas in live (the others are down: their address refuses
// connections) with the given behaviors, and waits until each announced it is ready.
func startCluster(t testing.TB, live []pbft.NodeID, behaviors map[pbft.NodeID]byzantine.Behavior) *testCluster {
	t.Helper()
	return startClusterWith(t, live, behaviors, nil)
}

// startClusterWith is startCluster with each replica's options adjusted by tweak (nil: none).
func startClusterWith(t testing.TB, live []pbft.NodeID, behaviors map[pbft.NodeID]byzantine.Behavior, tweak func(*Options)) *testCluster {
	t.Helper()
	return startClusterConfigured(t, live, behaviors, nil, tweak)
}

// startClusterConfigured is startClusterWith with the cluster configuration, shared by every
// replica, adjusted by configure (nil: none) before any replica starts.
func startClusterConfigured(t testing.TB, live []pbft.NodeID, behaviors map[pbft.NodeID]byzantine.Behavior,
	configure func(*cluster.Config), tweak func(*Options)) *testCluster {
	t.Helper()
	k := testKeys(t)
	cfg := cluster.Default(2, 5001)
	for _, name := range testAccounts {
		cfg.Accounts = append(cfg.Accounts, cluster.Account{Name: name, Checking: 10})
	}
	if configure != nil {
		configure(cfg)
	}
	lns := map[pbft.NodeID]net.Listener{}
	for i := range cfg.Replicas {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Replicas[i].Addr = ln.Addr().String()
		lns[pbft.NodeID(cfg.Replicas[i].ID)] = ln
	}
	c := &testCluster{cfg: cfg, keys: k, nodes: map[pbft.NodeID]*testNode{}}
	isLive := map[pbft.NodeID]bool{}
	for _, id := range live {
		isLive[id] = true
	}
	for id, ln := range lns {
		if !isLive[id] {
			ln.Close()
			continue
		}
		opts := Options{Config: cfg, ID: id, Public: k.Public, Secret: k.Replicas[id-1],
			Behavior: behaviors[id], Logger: testLogger(t), Listener: ln}
		if tweak != nil {
			tweak(&opts)
		}
		c.nodes[id] = startNode(t, opts)
	}
	return c
}

// startNode runs a replica with a control channel made of pipes and waits for its ready
// event; the test's cleanup stops it.
func startNode(t testing.TB, opts Options) *testNode {
	t.Helper()
	ctl, in, out := newCtlClient(t)
	opts.Control, opts.ControlOut = in, out
	ctx, cancel := context.WithCancel(context.Background())
	tn := &testNode{id: opts.ID, ctl: ctl, cancel: cancel, result: make(chan error, 1)}
	go func() { tn.result <- Run(ctx, opts) }()
	t.Cleanup(func() { tn.stop(t) })
	tn.ready = ctl.next(t)
	if tn.ready.ID != 0 || !tn.ready.OK {
		t.Fatalf("%s: first control line is not the ready event: %+v", opts.ID, tn.ready)
	}
	return tn
}

// stop cancels the replica and waits for Run to return.
func (tn *testNode) stop(t testing.TB) {
	tn.cancel()
	tn.ctl.close()
	select {
	case err := <-tn.result:
		if err != nil {
			t.Errorf("%s: Run returned %v", tn.id, err)
		}
		tn.result <- err // a later stop sees the same result
	case <-time.After(waitTimeout):
		t.Errorf("%s: Run did not return", tn.id)
	}
}

// ctlClient is the test's end of a replica's control channel.
type ctlClient struct {
	w      *io.PipeWriter
	lines  chan controlResponse
	mu     sync.Mutex
	lastID int64
}

// newCtlClient returns the client and the replica's ends (its stdin and stdout).
func newCtlClient(t testing.TB) (*ctlClient, io.Reader, io.Writer) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &ctlClient{w: inW, lines: make(chan controlResponse, 64)}
	go func() {
		sc := bufio.NewScanner(outR)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var r controlResponse
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				r = controlResponse{ID: -1, Error: fmt.Sprintf("undecodable line %q: %v", sc.Text(), err)}
			}
			c.lines <- r
		}
		close(c.lines)
	}()
	return c, inR, outW
}

func (c *ctlClient) close() { c.w.Close() }

// next returns the next line the replica wrote.
func (c *ctlClient) next(t testing.TB) controlResponse {
	t.Helper()
	select {
	case r, ok := <-c.lines:
		if !ok {
			t.Fatal("control channel closed")
		}
		return r
	case <-time.After(waitTimeout):
		t.Fatal("no control response")
	}
	return controlResponse{}
}

// raw sends a line as is.
func (c *ctlClient) raw(t testing.TB, line string) {
	t.Helper()
	if _, err := io.WriteString(c.w, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

// call sends a request and returns its response, with Data left as raw JSON.
func (c *ctlClient) call(t testing.TB, cmd string, seq uint64) (controlResponse, json.RawMessage) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastID++
	id := c.lastID
	b, _ := json.Marshal(controlapi.Request{ID: id, Cmd: cmd, Seq: seq})
	c.raw(t, string(b))
	r := c.next(t)
	if r.ID != id {
		t.Fatalf("response id %d to request %d (%+v)", r.ID, id, r)
	}
	raw, _ := json.Marshal(r.Data)
	return r, raw
}

// get calls cmd and decodes a successful answer into v.
func (c *ctlClient) get(t testing.TB, cmd string, seq uint64, v any) {
	t.Helper()
	r, raw := c.call(t, cmd, seq)
	if !r.OK {
		t.Fatalf("%s failed: %s", cmd, r.Error)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v in %s", cmd, err, raw)
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached; last state: %s", what, state)
		}
		<-tick.C
	}
}
