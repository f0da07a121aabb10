package byzantine

import (
	"sync"

	"github.com/bftbank/pbft/pbft"
)

// ReadPolicy is implemented by behaviours that change how a replica answers read-only
// requests (docs/protocol.md, "Linearizability"): a narrow policy over the one place where
// the honest core reads its state for a client, which Reads installs around the replica's
// application.
type ReadPolicy interface {
	// AnswerRead returns the result to send for a read of op, whose honest answer is fresh.
	AnswerRead(op, fresh []byte) []byte
}

// StaleRead is the `stale-read` attack: the replica answers every read with the answer it gave
// the first time it was asked the same operation (a balance captured before the writes that
// followed), and otherwise behaves honestly. With f such replicas, a client that accepted a read
// on fewer than f+1 honest replicas' answers, or a write on fewer than f+1 honest replicas'
// executions, could see a stale balance (issue 17).
//
// It remembers at most maxStaleReads operations; a read of another operation is answered
// honestly.
type StaleRead struct {
	Honest
	mu    sync.Mutex
	first map[string][]byte
}

// maxStaleReads bounds the answers a StaleRead replica remembers.
const maxStaleReads = 1 << 16

// NewStaleRead returns a stale-read behaviour with nothing remembered yet.
func NewStaleRead() *StaleRead { return &StaleRead{first: map[string][]byte{}} }

// AnswerRead returns the first answer given to op, remembering fresh if op is new.
func (s *StaleRead) AnswerRead(op, fresh []byte) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.first[string(op)]; ok {
		return old
	}
	if len(s.first) < maxStaleReads {
		s.first[string(op)] = append([]byte(nil), fresh...)
	}
	return fresh
}

// String is the attack's name.
func (*StaleRead) String() string { return "stale-read" }

// AnswerRead passes the answer through every part that has a read policy, in order.
func (c composed) AnswerRead(op, fresh []byte) []byte {
	for _, b := range c {
		if p, ok := b.(ReadPolicy); ok {
			fresh = p.AnswerRead(op, fresh)
		}
	}
	return fresh
}

// HasReadPolicy reports whether b changes how reads are answered.
func HasReadPolicy(b Behavior) bool {
	if c, ok := b.(composed); ok {
		for _, part := range c {
			if HasReadPolicy(part) {
				return true
			}
		}
		return false
	}
	_, ok := b.(ReadPolicy)
	return ok
}

// Reads wraps app so that every read it answers goes through the read policy of the behaviour
// that behavior returns at that moment (none: the honest answer). Everything else, including
// the optional pbft.Freezer and pbft.StagedRestorer, is app's own.
func Reads(app pbft.Application, behavior func() Behavior) pbft.Application {
	r := readApp{Application: app, behavior: behavior}
	fr, freezes := app.(pbft.Freezer)
	st, stages := app.(pbft.StagedRestorer)
	switch {
	case freezes && stages:
		return struct {
			readApp
			pbft.Freezer
			pbft.StagedRestorer
		}{r, fr, st}
	case freezes:
		return struct {
			readApp
			pbft.Freezer
		}{r, fr}
	case stages:
		return struct {
			readApp
			pbft.StagedRestorer
		}{r, st}
	}
	return r
}

type readApp struct {
	pbft.Application
	behavior func() Behavior
}

// Query answers op honestly, then as the behaviour's read policy says.
func (a readApp) Query(op []byte) []byte {
	fresh := a.Application.Query(op)
	if b := a.behavior(); HasReadPolicy(b) {
		return b.(ReadPolicy).AnswerRead(op, fresh)
	}
	return fresh
}
