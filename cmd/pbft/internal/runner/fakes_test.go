package runner

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/bftbank/pbft/client"
	"github.com/bftbank/pbft/cmd/pbft/internal/control"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/node/controlapi"
	"github.com/bftbank/pbft/smallbank"
)

// fakeCluster stands in for the replica processes and the clients of a run, in memory: one
// bank per set that every live replica reports, and clients that commit an operation only
// when at least 2f+1 replicas of the set are live (otherwise they wait for their deadline, as
// a real client without a quorum does).
type fakeCluster struct {
	mu         sync.Mutex
	set        *fakeSet   // the set being run
	sets       []*fakeSet // every set started, in order
	failAt     int        // Launch fails for this replica id (0: never)
	newViews   []controlapi.NewView
	onIssue    func(op string) // called when a client starts an operation (may block)
	running    map[int]bool    // replicas started and not stopped
	maxRunning int
	staleReads bool             // reads answer the opening balance, 10, whatever executed
	logLines   []string         // every replica's log (nil: one PRE-PREPARE line)
	views      map[int]fakeView // a replica's view (absent: view 1, active)
	behind     map[int]bool     // replicas that never execute: slot 0 and another digest
}

// fakeView is the view a fake replica reports, and how many NEW-VIEWs it entered.
type fakeView struct {
	view     uint64
	active   bool
	newViews uint64
}

// fakeSet is the state of one set's fake cluster.
type fakeSet struct {
	live     map[int]bool
	bank     *smallbank.Bank
	seq      uint64
	accounts []string
}

func newFakeCluster() *fakeCluster { return &fakeCluster{running: map[int]bool{}} }

// Launch starts a fake replica: a goroutine that serves the control protocol over pipes.
func (fc *fakeCluster) Launch(ctx context.Context, spec ReplicaSpec, ready time.Duration) (Replica, error) {
	cfg, err := cluster.Load(spec.Config)
	if err != nil {
		return nil, err
	}
	fc.mu.Lock()
	if fc.set == nil || len(fc.sets) <= spec.Set {
		fc.set = &fakeSet{live: map[int]bool{}, bank: smallbank.NewBank()}
		for _, a := range cfg.Accounts {
			fc.set.bank.Open(a.Name, a.Checking, a.Savings)
			fc.set.accounts = append(fc.set.accounts, a.Name)
		}
		fc.sets = append(fc.sets, fc.set)
	}
	if spec.ID == fc.failAt {
		fc.mu.Unlock()
		return nil, fmt.Errorf("n%d: fake launch failure", spec.ID)
	}
	fc.set.live[spec.ID] = true
	fc.running[spec.ID] = true
	fc.maxRunning = max(fc.maxRunning, len(fc.running))
	set := fc.set
	fc.mu.Unlock()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	r := &fakeReplica{fc: fc, id: spec.ID, set: set, conn: control.NewConn(inW, outR), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		serveControl(inR, outW, r.answer)
		outW.Close()
	}()
	select {
	case <-r.conn.Ready():
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fakeReplica is one fake replica's control channel.
type fakeReplica struct {
	fc   *fakeCluster
	id   int
	set  *fakeSet
	conn *control.Conn
	done chan struct{}
}

func (r *fakeReplica) Control() *control.Conn { return r.conn }

func (r *fakeReplica) Stop(time.Duration) error {
	r.conn.Close()
	<-r.done
	r.fc.mu.Lock()
	delete(r.fc.running, r.id)
	r.fc.mu.Unlock()
	return nil
}

// answer builds the data of a control command from the fake set's state.
func (r *fakeReplica) answer(req controlapi.Request) (any, error) {
	fc := r.fc
	fc.mu.Lock()
	defer fc.mu.Unlock()
	switch req.Cmd {
	case controlapi.CmdBalances:
		return controlapi.BalancesData{Balances: bankBalances(r.set.bank, r.set.accounts)}, nil
	case controlapi.CmdStatus:
		st := "X"
		if req.Seq <= r.set.seq {
			st = "E"
		}
		return controlapi.StatusData{Status: st}, nil
	case controlapi.CmdLog:
		if fc.logLines != nil {
			return controlapi.LogData{Lines: fc.logLines}, nil
		}
		return controlapi.LogData{Lines: []string{fmt.Sprintf("n%d v=1 s=1 recv PRE-PREPARE from n1", r.id)}}, nil
	case controlapi.CmdNewViews:
		return controlapi.NewViewsData{NewViews: fc.newViews}, nil
	case controlapi.CmdMetrics:
		d := r.set.bank.Digest()
		v, ok := fc.views[r.id]
		if !ok {
			v = fakeView{view: 1, active: true}
		}
		slot, digest := r.set.seq, hex.EncodeToString(d[:])
		if fc.behind[r.id] {
			slot, digest = 0, "behind"
		}
		return controlapi.Metrics{ExecutedSlot: slot, ExecutedSlots: slot, ExecutedRequests: slot,
			View: v.view, ViewActive: v.active, ViewChanges: v.newViews, StateDigest: digest, ThroughputTPS: 42}, nil
	}
	return nil, fmt.Errorf("unknown command %q", req.Cmd)
}

// serveControl is the child side of the control protocol: a ready event, then one answer per
// request line until EOF or quit.
func serveControl(in io.Reader, out io.Writer, answer func(controlapi.Request) (any, error)) {
	enc := json.NewEncoder(out)
	enc.Encode(map[string]any{"id": 0, "ok": true, "data": controlapi.Event{Event: controlapi.EventReady}})
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		var req controlapi.Request
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			enc.Encode(map[string]any{"id": 0, "ok": false, "error": err.Error()})
			continue
		}
		if req.Cmd == controlapi.CmdQuit {
			enc.Encode(map[string]any{"id": req.ID, "ok": true, "data": map[string]any{}})
			return
		}
		data, err := answer(req)
		if err != nil {
			enc.Encode(map[string]any{"id": req.ID, "ok": false, "error": err.Error()})
			continue
		}
		enc.Encode(map[string]any{"id": req.ID, "ok": true, "data": data})
	}
}

// NewClient returns a fake client of the current set.
func (fc *fakeCluster) NewClient(cfg *cluster.Config, name string) (Submitter, error) {
	return &fakeClient{fc: fc, name: name}, nil
}

// fakeClient executes operations on the fake set's bank when a quorum is live.
type fakeClient struct {
	fc   *fakeCluster
	name string
	mu   sync.Mutex // closed loop
}

func (c *fakeClient) Submit(ctx context.Context, op []byte) (client.Outcome, error) {
	return c.do(ctx, op, false)
}

func (c *fakeClient) Read(ctx context.Context, op []byte) (client.Outcome, error) {
	return c.do(ctx, op, true)
}

func (c *fakeClient) Close() error { return nil }

func (c *fakeClient) do(ctx context.Context, enc []byte, read bool) (client.Outcome, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	op, err := smallbank.DecodeOp(enc)
	if err != nil {
		return client.Outcome{}, err
	}
	if c.fc.onIssue != nil {
		c.fc.onIssue(op.String())
	}
	c.fc.mu.Lock()
	set := c.fc.set
	quorum := len(set.live) >= 2*scenarioF+1
	c.fc.mu.Unlock()
	if !quorum {
		<-ctx.Done()
		return client.Outcome{}, ctx.Err()
	}
	c.fc.mu.Lock()
	defer c.fc.mu.Unlock()
	if read && c.fc.staleReads {
		return client.Outcome{Result: smallbank.EncodeResult(smallbank.Result{OK: true, Value: 10}), ReadOnly: true, View: 1}, nil
	}
	if read {
		return client.Outcome{Result: set.bank.Query(enc), ReadOnly: true, View: 1, Latency: time.Millisecond}, nil
	}
	set.seq++
	return client.Outcome{Result: set.bank.Execute(pbft.ClientID(c.name), enc), Seq: pbft.Seq(set.seq), View: 1, Latency: time.Millisecond}, nil
}
