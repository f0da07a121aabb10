package pbft

import "fmt"

// Replica is one PBFT replica as a deterministic state machine. It is not safe for concurrent
// use: the runtime gives it one owner (one goroutine, or the simulator's single loop).
type Replica struct {
	cfg Config
	now uint64 // ticks since start

	view       View
	viewActive bool // false between sending VIEW-CHANGE and accepting the NEW-VIEW

	stable     CheckpointCert // the stable checkpoint; h = stable.Seq
	snapshot   *frozenState   // state at the stable checkpoint, served to lagging replicas
	executed   Seq            // last executed slot
	lastResend uint64
	nextSeq    Seq // leader: last assigned slot
	// carried is, for the leader of view carriedIn, the last slot its NEW-VIEW carried over:
	// the slots up to it are not ones it opened, and do not count as in flight (inflight).
	carried   Seq
	carriedIn View

	slots       map[Seq]*slot
	checkpoints map[Seq]*checkpointVotes
	ahead       aheadCheckpoints      // checkpoints claimed beyond those kept, per replica
	ownCkpt     map[Seq]ownCheckpoint // own state digests (and snapshots) above h

	clients *clientTable
	pending requestQueue // leader: requests waiting for a slot
	waiting waitSet      // requests known and not executed (the view-change timer runs on these)

	future    futureBuffer // messages of views not yet entered
	collector collectorState
	vc        viewChangeState
	catchup   catchupState

	out       Ready
	replaying bool // Recover is replaying durable records: nothing to persist again
	stats     Stats
	log       eventLog
}

// Stats are counters a replica keeps for commands 5 and --debug, and for tests.
type Stats struct {
	FastCommits       uint64 // slots committed by a FULL-COMMIT-PROOF
	SlowCommits       uint64 // slots committed by a COMMIT-CERT
	WaitedSlots       uint64 // slots for which the collector paid the fast-path wait
	ExecutedRequests  uint64
	ExecutedSlots     uint64
	ViewChanges       uint64 // NEW-VIEWs accepted
	RejectedConflicts uint64 // pre-prepares conflicting with an accepted one (equivocation)
	RejectedMessages  uint64 // messages refused by the core (wrong view, bad digest, out of window)
	TauAsked          uint64 // slots whose τ-shares the collector asked for after the fast path failed
	BadShares         uint64 // shares that failed verification when combining
	Fetched           uint64 // slots learned through catch-up
	Snapshots         uint64 // snapshots installed through catch-up
	Throttled         uint64 // requests of peers refused because the peer's budget was spent
	Dropped           uint64 // messages dropped because a bounded structure was full
}

// New creates a replica in view 1 at the genesis checkpoint.
func New(cfg Config) (*Replica, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	r := &Replica{
		cfg: cfg, view: 1, viewActive: true,
		slots:       make(map[Seq]*slot),
		checkpoints: make(map[Seq]*checkpointVotes),
		ownCkpt:     make(map[Seq]ownCheckpoint),
		clients:     newClientTable(),
		waiting:     newWaitSet(),
		log:         newEventLog(cfg.LogSize),
	}
	r.pending.init()
	r.stable = CheckpointCert{Seq: 0, State: r.stateDigest()}
	r.snapshot = r.freezeState()
	r.vc.timeout = cfg.ViewChangeTicks
	r.vc.activeView = 1
	return r, nil
}

// ID is the replica's id.
func (r *Replica) ID() NodeID { return r.cfg.ID }

// View is the replica's current view.
func (r *Replica) View() View { return r.view }

// ViewActive reports whether the replica accepted the NEW-VIEW of its current view.
func (r *Replica) ViewActive() bool { return r.viewActive }

// Leader is the leader of the current view.
func (r *Replica) Leader() NodeID { return r.cfg.leaderOf(r.view) }

// Executed is the last executed slot.
func (r *Replica) Executed() Seq { return r.executed }

// StableCheckpoint is the stable checkpoint certificate (h is its Seq).
func (r *Replica) StableCheckpoint() CheckpointCert { return r.stable }

// Stats returns the replica's counters.
func (r *Replica) Stats() Stats { return r.stats }

// Awaited is how many more verified client requests a leader waits for before it proposes a
// slot (0: it proposes at the next request or tick; a large number when it cannot propose
// now), and 1 for a backup, which forwards or answers a request at once. The runtime verifies
// client signatures in bigger batches while many are awaited.
func (r *Replica) Awaited() int {
	if !r.isLeader() {
		return 1
	}
	return r.awaited()
}

// StateDigest is the digest of the replicated state: the application and the client table.
func (r *Replica) StateDigest() Digest { return r.stateDigest() }

// TakeReady returns what the caller must do (see Ready) and clears it.
func (r *Replica) TakeReady() Ready {
	rd := r.out
	r.out = Ready{}
	return rd
}

// Tick advances the replica's clock by one tick.
func (r *Replica) Tick() {
	r.now++
	r.collectorTick()
	r.tryPropose()
	r.viewChangeTick()
	r.catchupTick()
	r.resendTick()
}

// Propose hands the replica a client request whose signature the runtime verified.
func (r *Replica) Propose(req Request) {
	r.logf("recv REQUEST %s t=%d from client", req.Client, req.Timestamp)
	r.onRequest(req, true)
}

// Step hands the replica a message from replica `from` that the runtime authenticated: the
// frame signature of `from`, every client signature in a batch, and every certificate,
// checkpoint certificate and VIEW-CHANGE signature inside it. Shares are not verified (the
// collector combines optimistically).
func (r *Replica) Step(from NodeID, m Message) {
	if from < 1 || int(from) > r.cfg.N || m == nil {
		r.stats.RejectedMessages++
		return
	}
	if r.deferFuture(from, m) {
		return
	}
	if from == r.Leader() {
		r.vc.heardLeader = r.now
	}
	r.logMsg(from, m)
	switch m := m.(type) {
	case *ForwardRequest:
		r.onRequest(m.Req, false)
	case *PrePrepare:
		r.onPrePrepare(from, m)
	case *Prepare:
		r.onPrepare(from, m)
	case *Commit:
		r.onCommit(from, m)
	case *Cert:
		r.onCert(m)
	case *Checkpoint:
		r.onCheckpoint(from, m)
	case *CheckpointCert:
		r.onCheckpointCert(m)
	case *ViewChange:
		r.onViewChange(from, m)
	case *NewView:
		r.onNewView(from, m)
	case *Status:
		r.onStatus(from, m)
	case *Fetch:
		r.onFetch(from, m)
	case *FetchReply:
		r.onFetchReply(from, m)
	case *FetchBatch:
		r.onFetchBatch(from, m)
	case *BatchReply:
		r.onBatchReply(from, m)
	case *Combined:
		if from == r.cfg.ID {
			r.onCombined(m)
		}
	default:
		r.stats.RejectedMessages++
	}
}

func (r *Replica) send(to NodeID, m Message) {
	r.out.Messages = append(r.out.Messages, Envelope{To: to, Msg: m})
}

func (r *Replica) broadcast(m Message) { r.send(Broadcast, m) }

func (r *Replica) isLeader() bool { return r.cfg.leaderOf(r.view) == r.cfg.ID }

// inWindow reports whether slot s is inside the watermarks (h, h+L].
func (r *Replica) inWindow(s Seq) bool {
	return s > r.stable.Seq && s <= r.stable.Seq+r.cfg.Window
}

func (r *Replica) mustf(ok bool, format string, args ...any) {
	if !ok {
		panic(fmt.Sprintf("pbft: %s: invariant violated: %s", r.cfg.ID, fmt.Sprintf(format, args...)))
	}
}

// Retained is the number of slots whose protocol state the replica holds (it is bounded by the
// watermark window: state at or below the stable checkpoint is discarded).
func (r *Replica) Retained() int { return len(r.slots) }
