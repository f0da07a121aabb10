package transport

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// errClosed reports that the transport (or client) is closing.
var errClosed = errors.New("transport: closed")

// ioBufferSize is the size of each connection's read and write buffers.
const ioBufferSize = 64 << 10

// maxBatch bounds how many queued frames one flush carries.
const maxBatch = 1024

// options are the tunables shared by Transport and ClientConn, defaults applied.
type options struct {
	queueLen     int
	queueBytes   int
	maxFrame     int
	writeTimeout time.Duration
	dialTimeout  time.Duration
	helloTimeout time.Duration
	backoffMin   time.Duration
	backoffMax   time.Duration
	frameTimeout time.Duration // Limits.FrameTimeout
	log          zerolog.Logger
	// coalesce lets a writer that drained its queue yield once before it flushes, so that
	// frames other goroutines are about to queue share the write (a client mux, whose many
	// clients send in bursts).
	coalesce bool
}

// base owns what Transport and ClientConn share: the goroutines, the open connections, and the
// loops that run one connection.
type base struct {
	opts   options
	done   chan struct{}
	ctx    context.Context // cancelled by shutdown, aborts dials
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool

	protocolErrors atomic.Uint64
	refused        refusals
}

func (b *base) init(opts options) {
	b.opts = opts
	b.done = make(chan struct{})
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.conns = make(map[net.Conn]struct{})
}

// conn is an authenticated connection with its buffered reader, and the nonces of its
// handshake (a ClientMux proves its clients with them).
type conn struct {
	net.Conn
	r      *bufio.Reader
	nonces nonces
	// readDeadline is the read deadline last set (framing.go); only the reader touches it.
	readDeadline time.Time
}

// spawn runs f on a goroutine that shutdown waits for.
func (b *base) spawn(f func()) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		f()
	}()
}

// track registers an open connection so that shutdown closes it; after shutdown it closes c
// and returns false.
func (b *base) track(c net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		c.Close()
		return false
	}
	b.conns[c] = struct{}{}
	return true
}

func (b *base) drop(c net.Conn) {
	c.Close()
	b.mu.Lock()
	delete(b.conns, c)
	b.mu.Unlock()
}

func (b *base) isClosed() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

// shutdown stops every goroutine and closes every connection, then waits for the goroutines.
func (b *base) shutdown() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	close(b.done)
	b.cancel()
	for c := range b.conns {
		c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
}
