package node

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// controlResponse answers a request with its id; events (ready) have id 0.
type controlResponse struct {
	ID    int64  `json:"id"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	Data  any    `json:"data"`
}

// answer builds the data of a response off the protocol loop, from copies the loop made.
type answer func() (any, error)

// controlCall is a request handed to the protocol loop, which answers on reply.
type controlCall struct {
	req   controlapi.Request
	reply chan answer
}

// maxControlLine bounds one request line.
const maxControlLine = 1 << 20

// control serves the control channel: it reads requests, has the loop answer them, and
// writes the responses. Writing happens here, never on the loop, so a parent that stops
// reading cannot stall the protocol.
type control struct {
	in    io.Reader
	out   io.Writer
	mu    sync.Mutex // serializes writes to out
	calls chan controlCall
	stop  func()          // ends Run
	done  <-chan struct{} // closed when Run's loop ended
}

func newControl(in io.Reader, out io.Writer, stop func(), done <-chan struct{}) *control {
	if out == nil {
		out = io.Discard
	}
	return &control{in: in, out: out, calls: make(chan controlCall), stop: stop, done: done}
}

// event writes an unsolicited message (id 0), such as {"event": "ready"}.
func (c *control) event(data any) { c.write(controlResponse{OK: true, Data: data}) }

func (c *control) write(r controlResponse) {
	b, err := json.Marshal(r)
	if err != nil {
		b, _ = json.Marshal(controlResponse{ID: r.ID, Error: "cannot encode response: " + err.Error()})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.Write(append(b, '\n')) // a parent that went away will see EOF on our stdin soon
}

// serve reads requests until EOF, a read error or quit, then stops the replica. With no
// control channel it returns at once and the replica runs until its context ends.
func (c *control) serve() {
	if c.in == nil {
		return
	}
	defer c.stop()
	sc := bufio.NewScanner(c.in)
	sc.Buffer(make([]byte, 0, 4096), maxControlLine)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if !c.handle(line) {
			return
		}
	}
}

// handle answers one request line; false when the replica must stop.
func (c *control) handle(line string) bool {
	var req controlapi.Request
	if err := json.Unmarshal([]byte(line), &req); err != nil {
		c.write(controlResponse{Error: fmt.Sprintf("bad request: %v", err)})
		return true
	}
	if req.Cmd == controlapi.CmdQuit {
		c.write(controlResponse{ID: req.ID, OK: true, Data: map[string]any{}})
		return false
	}
	call := controlCall{req: req, reply: make(chan answer, 1)}
	var ans answer
	select {
	case c.calls <- call:
	case <-c.done:
		return false
	}
	select {
	case ans = <-call.reply:
	case <-c.done:
		return false
	}
	data, err := ans()
	if err != nil {
		c.write(controlResponse{ID: req.ID, Error: err.Error()})
		return true
	}
	c.write(controlResponse{ID: req.ID, OK: true, Data: data})
	return true
}

// errUnknownCommand answers a command the channel does not know.
var errUnknownCommand = errors.New("unknown command (want log, status, balances, newviews, metrics, node or quit)")
