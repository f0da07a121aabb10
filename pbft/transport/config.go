package transport

import (
	"net"
	"time"

	"github.com/bftbank/pbft/pbft"
	"github.com/rs/zerolog"
)

// Defaults for the zero fields of Config and ClientConfig.
const (
	DefaultQueueLen     = 4096
	DefaultQueueBytes   = 16 << 20
	DefaultMaxFrame     = 64 << 20
	DefaultWriteTimeout = 10 * time.Second
	DefaultDialTimeout  = 3 * time.Second
	DefaultHelloTimeout = 5 * time.Second
	DefaultBackoffMin   = 50 * time.Millisecond
	DefaultBackoffMax   = 2 * time.Second
	DefaultMaxClients   = 100000
)

// Tuning holds the knobs that replicas and clients share; zero fields take the defaults above.
type Tuning struct {
	QueueLen     int           // frames queued per destination before Send drops
	QueueBytes   int           // bytes queued per destination before Send drops
	MaxFrame     int           // largest frame sent or accepted, in bytes
	WriteTimeout time.Duration // a write making no progress this long closes the connection
	DialTimeout  time.Duration
	HelloTimeout time.Duration // an accepted connection must say hello within this time
	BackoffMin   time.Duration // first delay between reconnection attempts
	BackoffMax   time.Duration // the delay doubles up to this
}

// Config configures a replica's transport.
type Config struct {
	Self  pbft.NodeID
	Addrs map[pbft.NodeID]string // every replica's address, Self included
	// Listener, when set, is used instead of listening on Addrs[Self] (tests pass one bound
	// to port 0); the transport closes it.
	Listener net.Listener
	// Keys authenticate every connection (see "Authentication" in the package documentation).
	Keys Keys
	// Limits bound what connections may occupy (limits.go); zero fields take the defaults.
	Limits     Limits
	MaxClients int // client ids routed at once; further ones are refused
	// ClientIdle, if set, runs on a client connection's reader goroutine after a frame when
	// no further complete frame is buffered: the end of a burst. A receiver that queues
	// client frames can start its batch there (see the package documentation).
	ClientIdle func()
	Tuning
	Logger zerolog.Logger
}

func (t Tuning) options(log zerolog.Logger) options {
	return options{
		queueLen:     orDefault(t.QueueLen, DefaultQueueLen),
		queueBytes:   orDefault(t.QueueBytes, DefaultQueueBytes),
		maxFrame:     orDefault(t.MaxFrame, DefaultMaxFrame),
		writeTimeout: orDefault(t.WriteTimeout, DefaultWriteTimeout),
		dialTimeout:  orDefault(t.DialTimeout, DefaultDialTimeout),
		helloTimeout: orDefault(t.HelloTimeout, DefaultHelloTimeout),
		backoffMin:   orDefault(t.BackoffMin, DefaultBackoffMin),
		backoffMax:   orDefault(t.BackoffMax, DefaultBackoffMax),
		frameTimeout: DefaultFrameTimeout,
		log:          log,
	}
}

// clientOptions are the options of a client's connections: frames are client frames, so
// MaxFrame defaults to DefaultClientMaxFrame (a replica closes a client connection that
// sends more).
func (t Tuning) clientOptions(log zerolog.Logger) options {
	t.MaxFrame = orDefault(t.MaxFrame, DefaultClientMaxFrame)
	return t.options(log)
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
