package bench

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bftbank/pbft/smallbank"
)

// Histogram range: 1 µs to 2 minutes, 3 significant digits.
const (
	histMinMicros = 1
	histMaxMicros = 120_000_000
	histDigits    = 3
	bucketWidth   = 250 * time.Millisecond // timeline resolution
)

// outcomeKind is how a request ended.
type outcomeKind uint8

const (
	outcomeOK     outcomeKind = iota // committed (or read) and succeeded
	outcomeFailed                    // committed, the transaction failed (e.g. insufficient funds)
	outcomeError                     // no quorum before the timeout, or the run was interrupted
)

// kindCounts counts the outcomes of one transaction kind.
type kindCounts struct {
	OK            uint64 `json:"ok"`
	Failed        uint64 `json:"failed"`
	Errors        uint64 `json:"errors"`
	ReadFallbacks uint64 `json:"read_fallbacks,omitempty"` // reads ordered after no 2f+1 matching replies
}

// recorder gathers the outcomes of one measured point. Requests that complete inside the
// measured window count for throughput and latency; every request counts for the money check.
type recorder struct {
	start       time.Time // the point began (warm-up included)
	measureFrom time.Time
	measureTo   time.Time

	completed atomic.Uint64 // every completion, for the progress bar

	mu       sync.Mutex
	hist     *hdrhistogram.Histogram
	kinds    map[smallbank.OpKind]*kindCounts // measured window only
	timeline []uint64                         // completions per bucket since start
	moneyIn  int64                            // Σ Result.Value of successful updates (whole run)
	errors   uint64                           // requests with no known outcome (whole run)
}

func newRecorder(start time.Time, warmup, duration time.Duration) *recorder {
	r := &recorder{start: start, measureFrom: start.Add(warmup), measureTo: start.Add(warmup + duration),
		hist: hdrhistogram.New(histMinMicros, histMaxMicros, histDigits), kinds: map[smallbank.OpKind]*kindCounts{}}
	for _, w := range kindsInOrder() {
		r.kinds[w] = &kindCounts{}
	}
	return r
}

// record notes one finished request that started at start and ended at end.
func (r *recorder) record(kind smallbank.OpKind, start, end time.Time, out outcomeKind, res smallbank.Result, fallback bool) {
	r.completed.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if out == outcomeError {
		r.errors++
	} else if res.OK && kind != smallbank.OpBalance {
		r.moneyIn += res.Value
	}
	if b := int(end.Sub(r.start) / bucketWidth); b >= 0 && out != outcomeError {
		for len(r.timeline) <= b {
			r.timeline = append(r.timeline, 0)
		}
		r.timeline[b]++
	}
	if end.Before(r.measureFrom) || end.After(r.measureTo) {
		return
	}
	k := r.kinds[kind]
	switch out {
	case outcomeOK:
		k.OK++
	case outcomeFailed:
		k.Failed++
	case outcomeError:
		k.Errors++
		return
	}
	if fallback {
		k.ReadFallbacks++
	}
	r.hist.RecordValue(max(histMinMicros, min(histMaxMicros, end.Sub(start).Microseconds())))
}

// committed is the number of requests of the measured window with an outcome.
func (r *recorder) committed() (ok, failed, errors uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range r.kinds {
		ok += k.OK
		failed += k.Failed
		errors += k.Errors
	}
	return ok, failed, errors
}

// percentileMS returns a latency percentile of the measured window in milliseconds.
func (r *recorder) percentileMS(p float64) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return float64(r.hist.ValueAtQuantile(p)) / 1000
}

// kindsInOrder lists the transaction kinds as reports print them.
func kindsInOrder() []smallbank.OpKind {
	return []smallbank.OpKind{smallbank.OpAmalgamate, smallbank.OpBalance, smallbank.OpDepositChecking,
		smallbank.OpSendPayment, smallbank.OpTransactSavings, smallbank.OpWriteCheck}
}
