package node

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// waitRun waits for Run to return without a cancel (the channel ended it) and returns its
// result; the cleanup's stop sees the same result.
func (tn *testNode) waitRun(t *testing.T) error {
	t.Helper()
	select {
	case err := <-tn.result:
		tn.result <- err
		return err
	case <-time.After(waitTimeout):
		t.Fatalf("%s: Run did not return", tn.id)
	}
	return nil
}

func TestControlChannelCommands(t *testing.T) {
	c := startCluster(t, []pbft.NodeID{1}, nil) // a replica alone: enough to read its state
	tn := c.nodes[1]
	ready, _ := tn.ready.Data.(map[string]any)
	if ready["event"] != "ready" || ready["addr"] != c.cfg.Replicas[0].Addr {
		t.Fatalf("ready event %+v, want event ready on %s", tn.ready, c.cfg.Replicas[0].Addr)
	}
	tests := []struct {
		cmd  string
		seq  uint64
		ok   bool
		want string // the data as JSON, or a part of the error
	}{
		{"status", 1, true, `{"status":"X"}`},
		{"status", 0, false, "seq"},
		{"balances", 0, true, `{"balances":{"A":10,"B":10,"C":10,"D":10,"E":10}}`},
		{"newviews", 0, true, `{"new_views":[]}`},
		{"log", 0, true, `{"lines":[]}`},
		{"launch", 0, false, "unknown command"},
	}
	for _, tt := range tests {
		r, raw := tn.ctl.call(t, tt.cmd, tt.seq)
		switch {
		case r.OK != tt.ok:
			t.Errorf("%s %d: ok=%v error %q, want ok=%v", tt.cmd, tt.seq, r.OK, r.Error, tt.ok)
		case tt.ok && string(raw) != tt.want:
			t.Errorf("%s %d: data %s, want %s", tt.cmd, tt.seq, raw, tt.want)
		case !tt.ok && (!strings.Contains(r.Error, tt.want) || string(raw) != "null"):
			t.Errorf("%s %d: error %q data %s, want an error about %q", tt.cmd, tt.seq, r.Error, raw, tt.want)
		}
	}
	tn.ctl.raw(t, `{"id": 5, "cmd": `)
	if r := tn.ctl.next(t); r.OK || r.ID != 0 || !strings.Contains(r.Error, "bad request") {
		t.Errorf("malformed line answered %+v", r)
	}
	if r, _ := tn.ctl.call(t, "quit", 0); !r.OK {
		t.Errorf("quit answered %+v", r)
	}
	if err := tn.waitRun(t); err != nil {
		t.Errorf("Run after quit: %v", err)
	}
}

func TestControlEOFStopsReplica(t *testing.T) {
	c := startCluster(t, []pbft.NodeID{2}, nil)
	tn := c.nodes[2]
	tn.ctl.close()
	if err := tn.waitRun(t); err != nil {
		t.Errorf("Run after EOF: %v", err)
	}
}

func TestRunWithoutControlStopsOnContext(t *testing.T) {
	k := testKeys(t)
	c := startCluster(t, nil, nil) // only for the configuration
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Config: c.cfg, ID: 3, Public: k.Public, Secret: k.Replicas[2],
			Logger: zerolog.Nop(), Listener: ln})
	}()
	// The replica is up once it accepts connections on its listener.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Run did not return after cancel")
	}
}

func TestRunRejectsBadOptions(t *testing.T) {
	k := testKeys(t)
	c := startCluster(t, nil, nil)
	good := Options{Config: c.cfg, ID: 2, Public: k.Public, Secret: k.Replicas[1], Logger: zerolog.Nop()}
	tests := []struct {
		name   string
		modify func(o *Options)
		want   string
	}{
		{"no config", func(o *Options) { o.Config = nil }, "configuration"},
		{"no keys", func(o *Options) { o.Secret = nil }, "keys"},
		{"id out of range", func(o *Options) { o.ID = 8 }, "outside"},
		{"someone else's secret", func(o *Options) { o.Secret = k.Replicas[2] }, "replica 3"},
	}
	for _, tt := range tests {
		o := good
		tt.modify(&o)
		err := Run(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Run returned %v, want an error about %q", tt.name, err, tt.want)
		}
	}
}

// TestControlAnswersAreJSONLines checks the exact shape of a response line.
func TestControlAnswersAreJSONLines(t *testing.T) {
	var out strings.Builder
	ctl := newControl(strings.NewReader(""), &out, func() {}, nil)
	ctl.write(controlResponse{ID: 7, OK: true, Data: controlapi.StatusData{Status: "PP"}})
	ctl.write(controlResponse{ID: 8, Error: "boom"})
	want := `{"id":7,"ok":true,"error":"","data":{"status":"PP"}}` + "\n" +
		`{"id":8,"ok":false,"error":"boom","data":null}` + "\n"
	if out.String() != want {
		t.Errorf("lines:\n%s\nwant:\n%s", out.String(), want)
	}
	var r controlapi.Request
	if err := json.Unmarshal([]byte(`{"id": 7, "cmd": "status", "seq": 3}`), &r); err != nil || r != (controlapi.Request{ID: 7, Cmd: "status", Seq: 3}) {
		t.Errorf("request decoded as %+v (%v)", r, err)
	}
}

func TestBadClientFramesAreCounted(t *testing.T) {
	c := startCluster(t, []pbft.NodeID{1}, nil)
	a := newTestClient(t, c, "A")
	forged := &pbft.Request{Client: "A", Timestamp: 1, Op: []byte{1}}
	auth.SignRequest(c.keys.Clients["B"], forged) // signed with someone else's key
	frame, err := clientFrame(forged)
	if err != nil {
		t.Fatal(err)
	}
	a.conn.Send(1, frame)
	a.conn.Send(1, []byte("not a frame"))
	eventually(t, "rejections counted", func() (bool, string) {
		var m controlapi.Metrics
		c.nodes[1].ctl.get(t, "metrics", 0, &m)
		return m.Rejected.BadSignature == 1 && m.Rejected.Other == 1 && m.ExecutedRequests == 0, fmt.Sprintf("%+v", m.Rejected)
	})
}
