package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/bftbank/pbft/pbft/node/controlapi"
	"io"
	"sync"
	"testing"
	"time"
)

// fakeChild answers requests on the other end of the pipes: it echoes the sequence number
// in a status, fails "log", prints a non-JSON line first, and holds the answer to "hold"
// until "release" arrives, so that answers come out of order.
func fakeChild(t *testing.T, in io.Reader, out io.WriteCloser) {
	defer out.Close()
	fmt.Fprintln(out, "a line that is not JSON")
	fmt.Fprintln(out, `{"id":0,"ok":true,"data":{"event":"ready"}}`)
	sc := bufio.NewScanner(in)
	var held []int64
	released := false
	for sc.Scan() {
		var req controlapi.Request
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			t.Errorf("bad request line %q", sc.Text())
			return
		}
		switch req.Cmd {
		case "hold":
			held = append(held, req.ID)
		case "release":
			released = true
			held = append(held, req.ID)
		case controlapi.CmdStatus:
			fmt.Fprintf(out, `{"id":%d,"ok":true,"data":{"status":"s%d"}}`+"\n", req.ID, req.Seq)
		default:
			fmt.Fprintf(out, `{"id":%d,"ok":false,"error":"no %s here"}`+"\n", req.ID, req.Cmd)
		}
		for released && len(held) > 0 {
			fmt.Fprintf(out, `{"id":%d,"ok":true,"data":{}}`+"\n", held[len(held)-1])
			held = held[:len(held)-1]
		}
	}
}

func newTestConn(t *testing.T) *Conn {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	go fakeChild(t, inR, outW)
	c := NewConn(inW, outR)
	select {
	case <-c.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("no ready event")
	}
	return c
}

func TestConnCalls(t *testing.T) {
	c := newTestConn(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := c.Call(ctx, "hold", 0, nil); err != nil {
			t.Errorf("held call: %v", err)
		}
	}()
	for seq := uint64(1); seq <= 20; seq++ {
		st, err := c.Status(ctx, seq)
		if err != nil || st != fmt.Sprintf("s%d", seq) {
			t.Fatalf("status %d = %q, %v", seq, st, err)
		}
	}
	if err := c.Call(ctx, "release", 0, nil); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if _, err := c.Log(ctx); err == nil || err.Error() != "log: no log here" {
		t.Fatalf("log error %v, want the child's message", err)
	}
	c.Close()
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Fatal("output did not end after Close")
	}
	if _, err := c.Status(ctx, 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v, want ErrClosed", err)
	}
}

func TestConnCallEndsWithContext(t *testing.T) {
	c := newTestConn(t)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := c.Call(ctx, "hold", 0, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded", err)
	}
}
