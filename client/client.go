package client

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/transport"
)

// Options tunes a Client. The zero value uses the cluster's timers and the transport defaults.
type Options struct {
	// Retransmit is the client timer: when it expires an ordered request is re-sent to every
	// replica, and a read falls back to an ordered request. Zero means the cluster's
	// Timers.Client.
	Retransmit time.Duration
	// Tuning tunes the connections to the replicas; zero fields take the transport defaults.
	Tuning transport.Tuning
	// Logger receives debug lines; the zero value discards them.
	Logger zerolog.Logger
	// CallTimeout, when positive, bounds every Submit and Read as a context.WithTimeout of
	// that length around the call would (the error wraps context.DeadlineExceeded), without
	// the context's allocations and timer: the client timer of the call also watches it.
	CallTimeout time.Duration
	// Network, when set, carries the client's frames over connections shared with the other
	// clients of the process; Tuning is then the Network's. Nil: the client opens its own.
	Network *Network
}

// Outcome is the result of a request as a quorum of replicas reported it.
type Outcome struct {
	Result   []byte        // the application's result; smallbank.DecodeResult reads it
	Seq      pbft.Seq      // the slot that executed the request; 0 for a read answered from state
	View     pbft.View     // the view of the accepted reply
	Latency  time.Duration // from the first send to the acceptance of the result
	ReadOnly bool          // answered from the replicas' state by 2f+1 of them, without ordering
}

// ErrClosed is returned by calls on a closed Client, and by calls cut short by Close.
var ErrClosed = errors.New("client: closed")

// Client is one closed-loop client of the cluster. It is safe for concurrent use; calls are
// served one at a time.
type Client struct {
	id         pbft.ClientID
	key        *crypto.SigningKey
	verifier   *auth.Authenticator
	conn       link
	n, f       int
	retransmit time.Duration // the configured client timer, the ceiling of rto
	rto        rtoEstimator  // the ordered requests' timer, used by the holder of turn
	timeout    time.Duration // Options.CallTimeout
	log        zerolog.Logger

	turn      chan struct{} // holds a token while a call is outstanding (closed loop)
	closed    chan struct{}
	closeOnce sync.Once

	// Used by the holder of turn only, and reused by every request.
	wake  chan struct{} // a token when the outstanding call is accepted or split (notify)
	timer *time.Timer   // the client timer of the outstanding call, stopped between calls
	pause *time.Timer   // the pause before a split read is asked again

	mu    sync.Mutex
	view  pbft.View
	lastT uint64
	clock func() uint64 // nanoseconds for timestamps; nil: the wall clock (tests set it)
	call  *call         // the client's request, outstanding while open
	open  bool
}

// New returns a client named id that signs with key and verifies replies against pub. It
// connects to the replicas of cfg lazily, on the first request.
func New(cfg *cluster.Config, id pbft.ClientID, key *crypto.SigningKey, pub *crypto.ClusterPublic, opts Options) (*Client, error) {
	if err := checkIdentity(cfg, id, key, pub); err != nil {
		return nil, err
	}
	verifier, err := auth.NewClient(pub, id, key)
	if err != nil {
		return nil, fmt.Errorf("client %s: %w", id, err)
	}
	c := &Client{
		id: id, key: key, verifier: verifier, n: cfg.N(), f: cfg.F,
		retransmit: opts.Retransmit, timeout: opts.CallTimeout, log: opts.Logger,
		turn: make(chan struct{}, 1), closed: make(chan struct{}), view: 1,
		wake: make(chan struct{}, 1), timer: stoppedTimer(), pause: stoppedTimer(), call: newCall(cfg.N()),
	}
	if c.retransmit <= 0 {
		c.retransmit = cfg.Timers.Client
	}
	if c.retransmit <= 0 {
		return nil, fmt.Errorf("client %s: retransmission timer must be positive", id)
	}
	c.rto.ceiling = c.retransmit
	if opts.Network != nil {
		if err := opts.Network.mux.Attach(id, key, c.onReply); err != nil {
			return nil, fmt.Errorf("client %s: %w", id, err)
		}
		c.conn = sharedLink{mux: opts.Network.mux, id: id}
		return c, nil
	}
	conn, err := transport.NewClient(transport.ClientConfig{ID: id, Key: key, Addrs: cfg.Addrs(), Tuning: opts.Tuning,
		Logger: opts.Logger}, c.onReply)
	if err != nil {
		return nil, fmt.Errorf("client %s: %w", id, err)
	}
	c.conn = ownLink{conn}
	return c, nil
}

// checkIdentity makes sure that the replicas will accept the client's signatures.
func checkIdentity(cfg *cluster.Config, id pbft.ClientID, key *crypto.SigningKey, pub *crypto.ClusterPublic) error {
	switch {
	case cfg == nil || pub == nil || key == nil:
		return fmt.Errorf("client %s: configuration, cluster keys and client key are required", id)
	case pub.N != cfg.N() || pub.F != cfg.F:
		return fmt.Errorf("client %s: keys are for n=%d f=%d, configuration has n=%d f=%d", id, pub.N, pub.F, cfg.N(), cfg.F)
	}
	known, ok := pub.Clients[string(id)]
	if !ok {
		return fmt.Errorf("client %s: not a client of this cluster (deal its key with keygen --clients)", id)
	}
	if known != key.Public() {
		return fmt.Errorf("client %s: key does not match the cluster's public key for it", id)
	}
	return nil
}

// ID is the client's name.
func (c *Client) ID() pbft.ClientID { return c.id }

// View is the view the client currently believes in; its leader gets new requests.
func (c *Client) View() pbft.View {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.view
}

// Close ends the outstanding call, if any, with ErrClosed and closes the connections.
func (c *Client) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.conn.Close()
}

// leader is the replica that leads the view the client believes in.
func (c *Client) leader() pbft.NodeID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return pbft.LeaderOf(c.view, c.n)
}

// nextTimestamp returns a timestamp above every earlier one, at least the wall clock in Unix
// nanoseconds, so that a restarted client never reuses a timestamp.
func (c *Client) nextTimestamp() uint64 {
	t := uint64(time.Now().UnixNano())
	if c.clock != nil {
		t = c.clock()
	}
	if t <= c.lastT {
		t = c.lastT + 1
	}
	c.lastT = t
	return t
}
