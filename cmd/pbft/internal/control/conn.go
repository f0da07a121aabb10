package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/bftbank/pbft/pbft/node/controlapi"
	"io"
	"os"
	"sync"
)

// MaxLine bounds one response line (a long protocol log is one line).
const MaxLine = 256 << 20

// ErrClosed is returned by calls on a connection whose child stopped answering.
var ErrClosed = errors.New("control channel closed")

// Conn is the parent's end of one child's control channel. It is safe for concurrent use.
type Conn struct {
	w     io.WriteCloser
	ready chan struct{}
	done  chan struct{}

	writeMu sync.Mutex // serializes request lines; never held with mu

	mu        sync.Mutex
	nextID    int64
	pending   map[int64]chan Response
	readyOnce sync.Once
	ended     bool  // the reader stopped: no answer will come
	err       error // why the reader stopped
}

// NewConn starts reading responses from r (the child's stdout), which it closes at EOF if it
// is an io.Closer; requests go to w (its stdin). Closing w, with Close, tells the child to exit.
func NewConn(w io.WriteCloser, r io.Reader) *Conn {
	c := &Conn{w: w, ready: make(chan struct{}), done: make(chan struct{}), pending: map[int64]chan Response{}}
	go c.read(r)
	return c
}

// Ready is closed when the child has announced that it is ready.
func (c *Conn) Ready() <-chan struct{} { return c.ready }

// Done is closed when the child's output ended (it exited or closed its stdout).
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err says why the output ended, once Done is closed (nil at a clean EOF).
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close closes the child's stdin; a child exits when it reads EOF.
func (c *Conn) Close() error { return c.w.Close() }

func (c *Conn) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	for sc.Scan() {
		var resp Response
		if json.Unmarshal(sc.Bytes(), &resp) != nil {
			continue // not a control line
		}
		c.deliver(resp)
	}
	if closer, ok := r.(io.Closer); ok {
		closer.Close()
	}
	c.mu.Lock()
	c.ended, c.err = true, sc.Err()
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
	c.mu.Unlock()
	close(c.done)
}

func (c *Conn) deliver(resp Response) {
	if resp.ID == 0 {
		var ev controlapi.Event
		if resp.OK && json.Unmarshal(resp.Data, &ev) == nil && ev.Event == controlapi.EventReady {
			c.readyOnce.Do(func() { close(c.ready) })
		}
		return
	}
	c.mu.Lock()
	ch := c.pending[resp.ID]
	delete(c.pending, resp.ID)
	c.mu.Unlock()
	if ch != nil {
		ch <- resp
	}
}

// Call sends a command and decodes the answer's data into out (which may be nil).
func (c *Conn) Call(ctx context.Context, cmd string, seq uint64, out any) error {
	ch, err := c.send(cmd, seq)
	if err != nil {
		return err
	}
	select {
	case resp, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: %w", cmd, ErrClosed)
		}
		if !resp.OK {
			return fmt.Errorf("%s: %s", cmd, resp.Error)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(resp.Data, out); err != nil {
			return fmt.Errorf("%s: bad answer: %w", cmd, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", cmd, ctx.Err())
	}
}

// send writes one request line and registers the channel its answer will arrive on. The
// write happens outside mu, so that a child slow to read never blocks the delivery of answers.
func (c *Conn) send(cmd string, seq uint64) (chan Response, error) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return nil, fmt.Errorf("%s: %w", cmd, ErrClosed)
	}
	c.nextID++
	id := c.nextID
	ch := make(chan Response, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	line, err := json.Marshal(controlapi.Request{ID: id, Cmd: cmd, Seq: seq})
	if err == nil {
		c.writeMu.Lock()
		_, err = c.w.Write(append(line, '\n'))
		c.writeMu.Unlock()
	}
	if err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		if errors.Is(err, os.ErrClosed) || errors.Is(err, io.ErrClosedPipe) {
			err = ErrClosed // Close ran before the reader saw the child's EOF
		}
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return ch, nil
}
