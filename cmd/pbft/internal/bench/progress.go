package bench

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/bftbank/pbft/cmd/pbft/internal/term"
)

// progressEvery is the refresh period of the progress bar; plainEvery that of the plain lines
// written when the output is not a terminal.
const (
	progressEvery = 250 * time.Millisecond
	plainEvery    = 5 * time.Second
)

// progress shows the run's progress with the live throughput while a point runs: an animated
// bar (github.com/schollz/progressbar) on a terminal, and otherwise (a log file, a pipe, or
// CI=true) one plain line every few seconds, never carriage returns or escape codes.
type progress struct {
	w        io.Writer
	bar      *progressbar.ProgressBar // nil: plain lines
	label    string
	rec      *recorder
	total    time.Duration
	plain    time.Duration // period of the plain lines
	done     chan struct{}
	finished chan struct{}
}

func startProgress(w io.Writer, label string, rec *recorder, total time.Duration) *progress {
	return startProgressEvery(w, label, rec, total, plainEvery)
}

// startProgressEvery is startProgress with the period of the plain lines.
func startProgressEvery(w io.Writer, label string, rec *recorder, total, plain time.Duration) *progress {
	p := &progress{w: w, label: label, rec: rec, total: total, plain: plain, done: make(chan struct{}), finished: make(chan struct{})}
	if animate(w) {
		p.bar = progressbar.NewOptions64(total.Milliseconds(),
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(progressEvery*4/5), // below the tick, so that every tick redraws
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionSetElapsedTime(false),
			progressbar.OptionSetRenderBlankState(true),
			progressbar.OptionSetDescription(label+" warm-up"),
			progressbar.OptionShowDescriptionAtLineEnd(),
		)
	}
	go p.run()
	return p
}

// animate reports whether the bar may redraw itself in place: only on a terminal, and never
// under CI (CI=true), whose logs keep every redraw.
func animate(w io.Writer) bool {
	return term.IsTerminal(w) && os.Getenv("CI") != "true"
}

// stop draws the final state and ends the bar's line.
func (p *progress) stop() {
	close(p.done)
	<-p.finished
}

func (p *progress) run() {
	defer close(p.finished)
	ticker := time.NewTicker(progressEvery)
	defer ticker.Stop()
	rate := newRateWindow(2*time.Second, time.Now(), p.rec.completed.Load())
	lastLine := time.Now()
	for {
		select {
		case <-p.done:
			if p.bar != nil {
				p.bar.Exit()
				fmt.Fprintln(p.w)
			}
			return
		case now := <-ticker.C:
			tps := rate.add(now, p.rec.completed.Load())
			if p.bar != nil {
				p.bar.Describe(p.status(now, tps))
				p.bar.Set64(min(now.Sub(p.rec.start), p.total).Milliseconds())
			} else if now.Sub(lastLine) >= p.plain {
				fmt.Fprintf(p.w, "%s %5.1fs/%.0fs\n", p.status(now, tps), now.Sub(p.rec.start).Seconds(), p.total.Seconds())
				lastLine = now
			}
		}
	}
}

// status is the text beside the bar: phase, live throughput and completions.
func (p *progress) status(now time.Time, tps float64) string {
	phase := "warm-up"
	if now.After(p.rec.measureFrom) {
		phase = "measure"
	}
	if now.After(p.rec.measureTo) {
		phase = "drain  "
	}
	return fmt.Sprintf("%s %s %8.0f tx/s %9d done", p.label, phase, tps, p.rec.completed.Load())
}

// rateWindow is the completion rate over the last few seconds.
type rateWindow struct {
	span    time.Duration
	samples []rateSample
}

type rateSample struct {
	at    time.Time
	count uint64
}

func newRateWindow(span time.Duration, now time.Time, count uint64) *rateWindow {
	return &rateWindow{span: span, samples: []rateSample{{now, count}}}
}

// add records the count at now and returns the rate per second over the window.
func (r *rateWindow) add(now time.Time, count uint64) float64 {
	r.samples = append(r.samples, rateSample{now, count})
	for len(r.samples) > 2 && now.Sub(r.samples[0].at) > r.span {
		r.samples = r.samples[1:]
	}
	first, last := r.samples[0], r.samples[len(r.samples)-1]
	if d := last.at.Sub(first.at).Seconds(); d > 0 {
		return float64(last.count-first.count) / d
	}
	return 0
}
