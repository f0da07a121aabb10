package lincheck

import (
	"math"
	"sync/atomic"

	"github.com/bftbank/pbft/smallbank"
)

// Log records the first limit operations of a run, from many goroutines, at the cost of two
// clock readings and an atomic add per operation: each invocation reserves its own slot, which
// only its goroutine writes.
type Log struct {
	ops  []Op
	next atomic.Int64
	cut  atomic.Int64 // earliest invocation time of a dropped operation
}

// NewLog returns a log of at most limit operations.
func NewLog(limit int) *Log {
	l := &Log{ops: make([]Op, limit)}
	l.cut.Store(math.MaxInt64)
	return l
}

// Begin records that client invoked op at time now and returns the operation's slot, or -1 if
// the log is full.
func (l *Log) Begin(client int, op smallbank.Op, now int64) int {
	i := l.next.Add(1) - 1
	if i >= int64(len(l.ops)) {
		for c := l.cut.Load(); now < c && !l.cut.CompareAndSwap(c, now); c = l.cut.Load() {
		}
		return -1
	}
	l.ops[i] = Op{Client: client, Input: op, Call: now}
	return int(i)
}

// End records the response to the operation of slot i (a no-op for -1).
func (l *Log) End(i int, now int64, res smallbank.Result) {
	if i < 0 {
		return
	}
	l.ops[i].Return, l.ops[i].Result, l.ops[i].Done = now, res, true
}

// Ops returns the recorded window once every goroutine that used the log has finished (see the
// package documentation for the responses after the window, which become unknown).
func (l *Log) Ops() []Op {
	n := min(l.next.Load(), int64(len(l.ops)))
	ops := append([]Op(nil), l.ops[:n]...)
	cut := l.cut.Load()
	for i := range ops {
		if ops[i].Done && ops[i].Return >= cut {
			ops[i].Done = false
		}
	}
	return ops
}

// Full reports whether operations were dropped.
func (l *Log) Full() bool { return l.next.Load() > int64(len(l.ops)) }
