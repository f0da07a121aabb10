package node

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bftbank/pbft/byzantine"
	"github.com/bftbank/pbft/pbft"
	"github.com/bftbank/pbft/pbft/node/controlapi"
)

// Faults injected at run time through the admin endpoint (docs/operations.md, "Faults at run
// time"). They exist only on a replica started with Options.AllowFaults; the honest core never
// learns of them: a pause stops the protocol loop, a sever drops frames at the node's edge,
// and Byzantine attacks are Behaviors composed around the core like the configured ones.

// maxPause bounds one pause, so that a mistyped duration cannot take a replica away for days.
const maxPause = 10 * time.Minute

// maxAttacks bounds the attacks of one byzantine request.
const maxAttacks = 16

// acting is the behaviour the replica runs now and whether it corrupts its signatures; it is
// swapped as a whole, so that the loop and the pool always see a consistent pair.
type acting struct {
	b       byzantine.Behavior
	corrupt bool
}

func actingOf(b byzantine.Behavior) *acting {
	if b == nil {
		b = byzantine.Honest{}
	}
	return &acting{b: b, corrupt: b.CorruptSignatures()}
}

// faults holds what was injected. The hot paths read only atomics: severed per frame, the
// acting behaviour per message.
type faults struct {
	self       pbft.NodeID
	n          int
	vcTicks    int
	configured byzantine.Behavior

	severedSet atomic.Pointer[[]bool] // nil: nothing severed; else indexed by replica id
	act        atomic.Pointer[acting]
	wake       chan struct{} // nil unless faults are allowed; signalled on every change

	mu          sync.Mutex
	pausedUntil time.Time
	pauseAck    chan struct{} // closed by the loop once it stopped for the latest pause
	attacks     []string      // injected, as given
}

func newFaults(self pbft.NodeID, n, vcTicks int, configured byzantine.Behavior, allowed bool) *faults {
	f := &faults{self: self, n: n, vcTicks: vcTicks, configured: configured}
	if allowed {
		f.wake = make(chan struct{}, 1)
	}
	f.act.Store(actingOf(configured))
	return f
}

// allowed reports whether the replica accepts faults at run time.
func (f *faults) allowed() bool { return f.wake != nil }

// acting is the behaviour to apply now.
func (f *faults) acting() *acting { return f.act.Load() }

// severed reports whether every frame to and from replica id is dropped.
func (f *faults) severed(id pbft.NodeID) bool {
	s := f.severedSet.Load()
	return s != nil && int(id) < len(*s) && (*s)[id]
}

// pausedFor is how much longer the protocol loop must stay stopped (0: not paused).
func (f *faults) pausedFor(now time.Time) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return max(0, f.pausedUntil.Sub(now))
}

// signal wakes the loop to look at the pause.
func (f *faults) signal() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// errFaultsOff refuses faults on a replica not started with --allow-faults.
var errFaultsOff = errors.New("fault injection is off on this replica: start it with --allow-faults")

// apply carries out one fault request and describes what it changed (for the log).
func (f *faults) apply(req controlapi.FaultRequest, now time.Time) (string, error) {
	if !f.allowed() {
		return "", errFaultsOff
	}
	switch req.Action {
	case controlapi.FaultPause:
		return f.pause(req.Duration, now)
	case controlapi.FaultSever:
		return f.sever(req.Peers)
	case controlapi.FaultHeal:
		f.severedSet.Store(nil)
		return "healed every severed link", nil
	case controlapi.FaultByzantine:
		return f.byzantine(req.Attacks)
	case controlapi.FaultClear:
		f.severedSet.Store(nil)
		f.mu.Lock()
		f.pausedUntil, f.attacks = time.Time{}, nil
		f.mu.Unlock()
		f.act.Store(actingOf(f.configured))
		f.signal()
		return "cleared every injected fault", nil
	}
	return "", fmt.Errorf("unknown fault action %q (want pause, sever, heal, byzantine or clear)", req.Action)
}

func (f *faults) pause(text string, now time.Time) (string, error) {
	d, err := time.ParseDuration(text)
	if err != nil || d <= 0 || d > maxPause {
		return "", fmt.Errorf("pause %q: want a duration such as 5s, at most %v", text, maxPause)
	}
	f.mu.Lock()
	f.pausedUntil = now.Add(d)
	if f.pauseAck == nil {
		f.pauseAck = make(chan struct{})
	}
	f.mu.Unlock()
	f.signal()
	return fmt.Sprintf("paused for %v", d), nil
}

// pauseAcked returns a channel closed once the loop has stopped for the pause asked last
// (nil when no pause waits for the loop).
func (f *faults) pauseAcked() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pauseAck
}

// ackPause is called by the stopped loop: the pause asked is in force.
func (f *faults) ackPause() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pauseAck != nil {
		close(f.pauseAck)
		f.pauseAck = nil
	}
}

func (f *faults) sever(peers []string) (string, error) {
	if len(peers) == 0 {
		return "", errors.New("sever: name the replicas to cut off, e.g. n5, or all")
	}
	set := make([]bool, f.n+1)
	if old := f.severedSet.Load(); old != nil {
		copy(set, *old)
	}
	for _, p := range peers {
		if p == "all" {
			for id := 1; id <= f.n; id++ {
				set[id] = id != int(f.self)
			}
			continue
		}
		id, err := pbft.ParseNodeID(p, f.n)
		if err != nil {
			return "", fmt.Errorf("sever: %w", err)
		}
		if id == f.self {
			return "", fmt.Errorf("sever: %s cannot be severed from itself", p)
		}
		set[id] = true
	}
	f.severedSet.Store(&set)
	return "severed " + fmt.Sprint(f.severedNames()), nil
}

func (f *faults) byzantine(attacks []string) (string, error) {
	if len(attacks) == 0 || len(attacks) > maxAttacks {
		return "", fmt.Errorf("byzantine: name 1 to %d attacks, e.g. sign", maxAttacks)
	}
	b, err := byzantine.Parse(attacks, f.self, f.n, f.vcTicks)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	f.attacks = slices.Clone(attacks)
	f.mu.Unlock()
	f.act.Store(actingOf(byzantine.Compose(f.configured, b)))
	return "now byzantine: " + byzantine.Name(b), nil
}

func (f *faults) severedNames() []string {
	out := []string{}
	if s := f.severedSet.Load(); s != nil {
		for id, cut := range *s {
			if cut {
				out = append(out, pbft.NodeID(id).String())
			}
		}
	}
	return out
}

// state describes the faults in force now.
func (f *faults) state(now time.Time) *controlapi.FaultState {
	st := &controlapi.FaultState{Severed: f.severedNames(), Byzantine: []string{}}
	if _, honest := f.configured.(byzantine.Honest); !honest && f.configured != nil {
		st.Configured = byzantine.Name(f.configured)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pausedUntil.After(now) {
		t := f.pausedUntil
		st.PausedUntil = &t
	}
	st.Byzantine = append(st.Byzantine, f.attacks...)
	return st
}
