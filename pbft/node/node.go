package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/crypto"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/auth"
	"github.com/bftbank/pbft/pbft/cluster"
	"github.com/bftbank/pbft/pbft/storage"
	"github.com/bftbank/pbft/pbft/transport"
	"github.com/bftbank/pbft/smallbank"
)

// Options configure one replica process.
type Options struct {
	Config *cluster.Config
	ID     pbft.NodeID
	// Public and Secret are the cluster's public keys and this replica's secrets, loaded by
	// the caller from Config.KeyDir (crypto.ReadClusterPublic, crypto.ReadReplicaSecret).
	Public *crypto.ClusterPublic
	Secret *crypto.ReplicaSecret
	// CryptoBackend overrides the replica's crypto_backend in Config (gnark or circl); the
	// replica moves its threshold keys to that backend at start (see onBackend).
	CryptoBackend string
	// Behavior makes the replica misbehave (docs/design.md, "Byzantine module"); nil is
	// byzantine.Honest{}.
	Behavior byzantine.Behavior
	// Control and ControlOut are the control channel, JSON lines (nil Control: none; nil
	// ControlOut: responses are discarded).
	Control    io.Reader
	ControlOut io.Writer
	Logger     zerolog.Logger
	// Listener, when set, is used instead of listening on the replica's configured address
	// (tests bind port 0); Run closes it.
	Listener net.Listener
	// LeaderProcs, when positive, is the GOMAXPROCS of the replica while it leads; it returns
	// to the one it started with when it stops leading (see leaderProcs). For replicas that
	// share a machine, each started with its share of the cores.
	LeaderProcs int
	// DataDir is the replica's data directory (docs/protocol.md, "Durability"): what its
	// messages depend on is synced there before they leave, and a restart recovers from it.
	// Empty: the replica keeps everything in memory (ephemeral).
	DataDir string
	// AdminAddr is where the admin endpoint listens (metrics, status, pprof, faults;
	// docs/operations.md); empty: no admin endpoint. AdminListener, when set, is used
	// instead (tests bind port 0); Run closes it.
	AdminAddr     string
	AdminListener net.Listener
	// AllowFaults turns on the admin endpoint's fault API (pause, sever, heal, byzantine,
	// clear). Off, it answers 403.
	AllowFaults bool
}

// Budgets of inbound frames in flight (received, not yet handled by the protocol loop); the
// replicas' is split into equal shares, one per peer (peershare.go).
const (
	peerBudget   = 8192
	clientBudget = 4096
)

// node is one running replica.
type node struct {
	id      pbft.NodeID
	n       int
	cfg     *cluster.Config
	core    *pbft.Replica
	bank    *smallbank.Bank
	auth    *auth.Authenticator // it seals through auth.Sealer, corrupt under the sign attack
	faults  *faults             // the behaviour it runs, and faults injected at run time
	backend string              // the library running the threshold keys (crypto.ThresholdPublic.Backend)
	log     zerolog.Logger

	tr         *transport.Transport
	pool       *pool
	mail       *mailbox
	seq        *sequencer
	peers      peerShares
	penalties  *penalties   // replicas whose frames proved them faulty (penalty.go)
	fetches    fetchCredits // FETCH-REPLYs expected per peer (fetchcredit.go)
	clients    budget
	shares     *clientShares // each client's frames within clients (clientshare.go)
	rejects    *rejections
	reqs       requestBatcher
	metrics    *metrics
	lastView   pbft.View // the view and its state at the last flush, to log changes
	lastActive bool
	procs      leaderProcs
	done       chan struct{} // closed when Run returns

	// What the admin endpoint reads (observe.go, prom.go, status.go).
	started       time.Time
	obs           observer                    // loop only
	published     atomic.Pointer[observation] // the latest observation
	prom          *promMetrics
	received      atomic.Uint64 // client request frames received
	severedFrames atomic.Uint64 // frames dropped by a sever fault

	store     storage.Store // nil: ephemeral
	savedCkpt pbft.Seq      // the checkpoint saved in the store at start
	persist   *persister    // the group commit (nil: ephemeral)
}

// Run runs the replica until ctx is done, the control channel reaches EOF, or a "quit"
// command arrives; those ends return nil. It returns an error when the replica cannot start
// (bad options, keys that do not match the configuration, an address it cannot listen on).
// The goroutine that reads Control may outlive Run until its Read returns; it touches
// nothing of the replica after Run returned.
func Run(ctx context.Context, opts Options) error {
	nd, err := newNode(&opts)
	if err == nil && opts.AdminListener == nil && opts.AdminAddr != "" {
		if opts.AdminListener, err = net.Listen("tcp", opts.AdminAddr); err != nil {
			err = fmt.Errorf("node %s: admin endpoint: %w (--admin-addr off turns it off)", opts.ID, err)
			nd.closeStore()
		}
	}
	if err != nil {
		for _, l := range []net.Listener{opts.Listener, opts.AdminListener} {
			if l != nil {
				l.Close()
			}
		}
		return err
	}
	return nd.run(ctx, opts)
}

// closeStore closes the data directory of a replica that will not run.
func (nd *node) closeStore() {
	if nd.store != nil {
		nd.store.Close()
	}
}

// newNode builds the replica; it moves opts' keys to the replica's crypto backend.
func newNode(opts *Options) (*node, error) {
	if err := checkOptions(*opts); err != nil {
		return nil, err
	}
	backend, err := opts.onBackend()
	if err != nil {
		return nil, err
	}
	opts.Public, opts.Secret = backend.public, backend.secret
	bank, err := opts.Config.NewBank()
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	behavior := opts.Behavior
	if behavior == nil {
		behavior = byzantine.Honest{}
	}
	vcTicks := opts.Config.Ticks(opts.Config.Timers.ViewChange)
	nd := &node{
		id: opts.ID, n: opts.Config.N(), cfg: opts.Config, bank: bank,
		auth:   auth.New(opts.Public, opts.Secret),
		faults: newFaults(opts.ID, opts.Config.N(), vcTicks, behavior, opts.AllowFaults),
		log:    opts.Logger, mail: newMailbox(), seq: newSequencer(),
		peers: newPeerShares(opts.Config.N()), penalties: newPenalties(opts.Config.N()), clients: budget{limit: clientBudget}, shares: newClientShares(),
		rejects: newRejections(), metrics: newMetrics(), lastView: 1, lastActive: true,
		procs: newLeaderProcs(opts.LeaderProcs), done: make(chan struct{}),
		backend: backend.name,
	}
	core, store, err := nd.openCore(*opts, opts.Config.Core(opts.ID, nd.readsOf(bank, opts.AllowFaults)))
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	nd.core, nd.store = core, store
	nd.auth.SetBatchLimit(opts.Config.Batch.MaxRequests)
	nd.started = time.Now()
	nd.prom = newPromMetrics(nd)
	nd.metrics.hist = nd.prom.execute
	nd.observe(nd.started)
	return nd, nil
}

// readsOf is the application the core answers reads from: the bank, behind the read policy
// of the behaviour the replica runs at that moment when it may have one (the stale-read
// attack, configured or injected at run time).
func (nd *node) readsOf(bank *smallbank.Bank, allowFaults bool) pbft.Application {
	if !allowFaults && !byzantine.HasReadPolicy(nd.faults.acting().b) {
		return bank
	}
	return byzantine.Reads(bank, func() byzantine.Behavior { return nd.faults.acting().b })
}

func checkOptions(opts Options) error {
	switch {
	case opts.Config == nil:
		return errors.New("node: no cluster configuration")
	case opts.Public == nil || opts.Secret == nil:
		return errors.New("node: missing keys")
	case opts.ID < 1 || int(opts.ID) > opts.Config.N():
		return fmt.Errorf("node: replica id %d outside 1..%d", opts.ID, opts.Config.N())
	case opts.Secret.ID != int(opts.ID):
		return fmt.Errorf("node: secret keys are replica %d's, not %s's", opts.Secret.ID, opts.ID)
	case opts.Public.N != opts.Config.N() || opts.Public.F != opts.Config.F:
		return fmt.Errorf("node: keys are for n=%d f=%d, configuration has n=%d f=%d",
			opts.Public.N, opts.Public.F, opts.Config.N(), opts.Config.F)
	}
	if err := opts.Config.Validate(); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if err := opts.Public.CheckReplica(opts.Secret); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	return nil
}

func (nd *node) run(ctx context.Context, opts Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tr, err := transport.New(transport.Config{
		Self: nd.id, Addrs: nd.cfg.Addrs(), Listener: opts.Listener, Logger: nd.log,
		Keys: transport.ClusterKeys(opts.Public, opts.Secret.Ed25519), ClientIdle: nd.verifyQueuedSoon,
	})
	if err != nil {
		nd.closeStore()
		if opts.AdminListener != nil {
			opts.AdminListener.Close()
		}
		return fmt.Errorf("node %s: %w", nd.id, err)
	}
	nd.tr = tr
	if nd.store != nil {
		nd.persist = newPersister(nd.store, nd.savedCkpt, nd.log, nd.prom.persist, func(err error) {
			nd.log.Error().Err(err).Msgf("%s cannot write its data directory: stopping", nd.id)
			cancel()
		})
		defer nd.persist.stop()
	}
	nd.pool = newPool(runtime.NumCPU(), nd.n)
	nd.reqs.workers = runtime.NumCPU()
	tr.Start(nd.onPeer, nd.onClient)
	nd.log.Info().Msgf("%s listening on %s", nd.id, tr.Addr())
	ctl := newControl(opts.Control, opts.ControlOut, cancel, nd.done)
	ready := map[string]any{"event": "ready", "addr": tr.Addr().String()}
	if opts.AdminListener != nil {
		admin := nd.startAdmin(opts.AdminListener, ctl.calls)
		defer admin.stop()
		ready["admin"] = opts.AdminListener.Addr().String()
		nd.log.Info().Msgf("%s admin endpoint on http://%s (fault injection %s)", nd.id, opts.AdminListener.Addr(), onOff(opts.AllowFaults))
	}
	ctl.event(ready)
	go ctl.serve()
	nd.loop(ctx, ctl.calls)
	nd.log.Info().Msgf("%s shutting down at v=%d s=%d", nd.id, nd.core.View(), nd.core.Executed())
	close(nd.done)
	tr.Close()
	nd.pool.stop()
	nd.log.Info().Msgf("%s stopped", nd.id)
	return nil
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "off"
}

// tick is the period of the core's clock.
func (nd *node) tick() time.Duration { return nd.cfg.Timers.Tick }
