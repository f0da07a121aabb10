package sim

import (
	"container/heap"
	"fmt"
	"math/rand"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/smallbank"
)

// Options describe one simulated run.
type Options struct {
	Seed    int64
	F       int // n = 3f+1
	Clients int // closed-loop clients, each owning one account
	Auth    Auth
	Net     NetFaults
	// Configure adjusts each replica's configuration (timers, batch sizes, K).
	Configure func(*pbft.Config)
	// ClientTimeout is the client's retransmission timer in ticks.
	ClientTimeout uint64
	// Balance is every account's opening checking balance (0: InitialBalance).
	Balance int64
	// OrderedQuorum is the number of matching replies that complete an ordered request
	// (0: 2f+1, as the client library; f+1 puts back the bug of issue 17, for tests).
	OrderedQuorum int
	// Reads is the probability that a budgeted request is a Balance read of a random account
	// instead of a transfer.
	Reads float64
	// Durable gives every replica an in-memory store (storage.Memory, the real store's keys
	// and encoding) written as the node's group commit writes it, so that replicas can crash
	// and restart from it (Crash, Restart; durable.go).
	Durable bool
}

// NetFaults is the hostile network: every message is independently dropped, duplicated and
// delayed by a uniform number of ticks in [MinDelay, MaxDelay] (which reorders messages).
type NetFaults struct {
	Drop, Dup          float64
	MinDelay, MaxDelay uint64
}

// InitialBalance is every account's starting checking balance.
const InitialBalance = 1_000

// Sim is one deterministic simulated cluster.
type Sim struct {
	opts  Options
	rng   *rand.Rand
	now   uint64
	order uint64
	queue eventQueue

	N        int
	replicas []*pbft.Replica
	banks    []*smallbank.Bank
	clients  []*simClient
	silent   map[pbft.NodeID]bool // neither send nor receive
	cut      map[[2]pbft.NodeID]bool

	inv invariants
	// Hooks for Byzantine behaviour and tests: called on every outbound envelope of a replica
	// before sealing; returns the envelopes to send instead (nil drops it).
	Outbound map[pbft.NodeID]func(pbft.Envelope) []pbft.Envelope
	// Behaviors are the Byzantine replicas (docs/design.md, "Byzantine module"): what each sends
	// (after its Outbound hook), with what delay, whether its signatures are damaged, which replies
	// it withholds.
	Behaviors map[pbft.NodeID]byzantine.Behavior
	// Intercept, when set, sees every replica-to-replica message after its sender's behaviour
	// and before sealing (honest senders included): it is the adversary's hand on the network.
	// It returns how many ticks to hold the message beyond the network's delay, and false to
	// drop it. A replica's copy to itself is local and never intercepted.
	Intercept func(from, to pbft.NodeID, m pbft.Message) (hold uint64, deliver bool)
	// Ignore, when set, is asked for every client request that reaches a replica (before its
	// authentication): true drops it, as a faulty replica may ignore any input of its own (a
	// leader that censors a client). Requests forwarded by replicas go through Intercept.
	Ignore        func(to pbft.NodeID, req *pbft.Request) bool
	badSignatures map[pbft.NodeID]int // messages each replica refused at authentication
	withheld      map[pbft.NodeID]int // client replies each replica's behaviour withheld
	script        *script
	hist          history // every client operation, for the linearizability check
	dur           *durability
}

// New builds the cluster: n replicas with a bank each, and the clients.
func New(opts Options) (*Sim, error) {
	if opts.F == 0 {
		opts.F = 2
	}
	if opts.Auth == nil {
		opts.Auth = &FakeAuth{N: 3*opts.F + 1, F: opts.F}
	}
	if opts.ClientTimeout == 0 {
		opts.ClientTimeout = 600
	}
	if opts.Balance == 0 {
		opts.Balance = InitialBalance
	}
	s := &Sim{opts: opts, rng: rand.New(rand.NewSource(opts.Seed)), N: 3*opts.F + 1,
		silent: map[pbft.NodeID]bool{}, cut: map[[2]pbft.NodeID]bool{},
		Outbound:  map[pbft.NodeID]func(pbft.Envelope) []pbft.Envelope{},
		Behaviors: map[pbft.NodeID]byzantine.Behavior{}, badSignatures: map[pbft.NodeID]int{},
		withheld: map[pbft.NodeID]int{}}
	for i := 1; i <= s.N; i++ {
		cfg, bank, err := s.replicaConfig(pbft.NodeID(i))
		if err != nil {
			return nil, err
		}
		r, err := pbft.New(cfg)
		if err != nil {
			return nil, err
		}
		s.replicas = append(s.replicas, r)
		s.banks = append(s.banks, bank)
	}
	if opts.Durable {
		s.initDurable()
	}
	for c := 0; c < opts.Clients; c++ {
		s.clients = append(s.clients, newSimClient(s, c))
	}
	s.inv.init(s)
	return s, nil
}

// replicaConfig is replica id's configuration over a bank in its opening state.
func (s *Sim) replicaConfig(id pbft.NodeID) (pbft.Config, *smallbank.Bank, error) {
	bank := smallbank.NewBank()
	for c := 0; c < s.opts.Clients; c++ {
		if err := bank.Open(AccountName(c), s.opts.Balance, 0); err != nil {
			return pbft.Config{}, nil, err
		}
	}
	cfg := pbft.TestConfig(id, s.opts.F, byzantine.Reads(bank, func() byzantine.Behavior { return s.behavior(id) }))
	cfg.LogSize = 0
	if s.opts.Configure != nil {
		s.opts.Configure(&cfg)
	}
	return cfg, bank, nil
}

// AccountName is the account (and client id) of client c.
func AccountName(c int) string { return fmt.Sprintf("c%02d", c) }

// Replica returns replica id.
func (s *Sim) Replica(id pbft.NodeID) *pbft.Replica { return s.replicas[id-1] }

// Bank returns replica id's application state.
func (s *Sim) Bank(id pbft.NodeID) *smallbank.Bank { return s.banks[id-1] }

// Now is the simulated time in ticks.
func (s *Sim) Now() uint64 { return s.now }

// Seed is the run's seed.
func (s *Sim) Seed() int64 { return s.opts.Seed }

// Silence makes replica id neither send nor receive anything (or undoes it).
func (s *Sim) Silence(id pbft.NodeID, on bool) { s.silent[id] = on }

// Cut drops every message from a to b (or restores the link).
func (s *Sim) Cut(a, b pbft.NodeID, on bool) { s.cut[[2]pbft.NodeID{a, b}] = on }

// Step advances the run by one tick: it delivers what is due, ticks every replica and client,
// and checks the invariants. An error names the seed.
func (s *Sim) Step() error {
	s.now++
	for s.queue.Len() > 0 && s.queue[0].at <= s.now {
		e := heap.Pop(&s.queue).(*event)
		s.deliver(e)
		if err := s.inv.err; err != nil {
			return s.fail(err)
		}
	}
	for i, r := range s.replicas {
		if s.Down(pbft.NodeID(i + 1)) {
			continue
		}
		r.Tick()
		s.drain(pbft.NodeID(i + 1))
	}
	for _, c := range s.clients {
		c.tick()
	}
	s.advanceScript()
	if err := s.inv.check(); err != nil {
		return s.fail(err)
	}
	return nil
}

func (s *Sim) fail(err error) error {
	return fmt.Errorf("seed %d, tick %d: %w (replay with -seed %d)", s.opts.Seed, s.now, err, s.opts.Seed)
}

// RunUntil steps until done returns true, or fails after maxTicks.
func (s *Sim) RunUntil(done func() bool, maxTicks uint64) error {
	limit := s.now + maxTicks
	for !done() {
		if s.now >= limit {
			return s.fail(fmt.Errorf("condition not reached within %d ticks (%s)", maxTicks, s.Describe()))
		}
		if err := s.Step(); err != nil {
			return err
		}
	}
	return nil
}

// Describe summarises the replicas' progress for failure messages.
func (s *Sim) Describe() string {
	out := ""
	for i, r := range s.replicas {
		out += fmt.Sprintf("n%d:v%d/%v/exec%d ", i+1, r.View(), r.ViewActive(), r.Executed())
	}
	done := 0
	for _, c := range s.clients {
		done += c.completed
	}
	return out + fmt.Sprintf("completed=%d", done)
}
