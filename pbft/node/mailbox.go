package node

import (
	"sync"
	"time"

	"github.com/bftbank/pbft/pbft"
)

// input is one thing for the core: a verified message from a replica (Msg set, From its
// authenticated sender, possibly the replica itself), or a verified client request (Req set).
type input struct {
	From   pbft.NodeID
	Msg    pbft.Message
	Req    *pbft.Request
	At     time.Time     // when it arrived (latency is measured from the first sighting)
	budget *budget       // given back once the loop handled the input; nil for local inputs
	peer   *peerShare    // the replica link's share, given size back once handled (peer frames)
	size   int           // the frame's size
	client pbft.ClientID // the connection's client, whose share is given back with budget ("": none)
}

// mailbox carries inputs from the workers to the protocol loop. put never blocks; the loop
// waits on ready and takes everything at once.
type mailbox struct {
	mu    sync.Mutex
	items []input
	ready chan struct{}
}

func newMailbox() *mailbox { return &mailbox{ready: make(chan struct{}, 1)} }

func (m *mailbox) put(in input) {
	m.mu.Lock()
	m.items = append(m.items, in)
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
}

// putAll queues several inputs at once.
func (m *mailbox) putAll(ins []input) {
	if len(ins) == 0 {
		return
	}
	m.mu.Lock()
	m.items = append(m.items, ins...)
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
}

// depth is the number of inputs waiting for the loop.
func (m *mailbox) depth() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// take returns every queued input, oldest first.
func (m *mailbox) take() []input {
	m.mu.Lock()
	defer m.mu.Unlock()
	items := m.items
	m.items = nil
	return items
}

// sequencer releases the results of jobs that finish out of order in the order the jobs were
// issued: sealed messages leave in the order the core emitted them. Issue is called by the
// loop only; finish by any goroutine, exactly once per ticket. The released actions run under
// the sequencer's lock and must not block (transport.Send, mailbox.put and time.AfterFunc
// do not).
type sequencer struct {
	issued uint64 // loop only

	mu    sync.Mutex
	next  uint64
	ready map[uint64]func()
}

func newSequencer() *sequencer { return &sequencer{ready: make(map[uint64]func())} }

// issue returns the next ticket.
func (s *sequencer) issue() uint64 {
	t := s.issued
	s.issued++
	return t
}

// finish records the action of ticket t (nil: nothing to do) and runs every action that is
// now next in line.
func (s *sequencer) finish(t uint64, action func()) {
	if action == nil {
		action = func() {}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ready[t] = action
	for {
		a, ok := s.ready[s.next]
		if !ok {
			return
		}
		delete(s.ready, s.next)
		s.next++
		a()
	}
}
