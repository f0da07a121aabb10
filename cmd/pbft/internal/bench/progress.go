package bench

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bftbank/pbft/cmd/pbft/internal/term"
)

// progressEvery is the refresh period of the progress bar.
const progressEvery = 250 * time.Millisecond

// progress draws a progress bar with the live throughput on stderr while a point runs: redrawn
// in place on a terminal, one line every few seconds otherwise (a log file).
type progress struct {
	w        io.Writer
	terminal bool
	label    string
	rec      *recorder
	total    time.Duration
	done     chan struct{}
	finished chan struct{}
}

func startProgress(w io.Writer, label string, rec *recorder, total time.Duration) *progress {
	p := &progress{w: w, terminal: term.IsTerminal(w), label: label, rec: rec, total: total,
		done: make(chan struct{}), finished: make(chan struct{})}
	go p.run()
	return p
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
	type sample struct {
		at    time.Time
		count uint64
	}
	window := []sample{{time.Now(), p.rec.completed.Load()}}
	lastLine := time.Now()
	for {
		select {
		case <-p.done:
			if p.terminal {
				fmt.Fprintln(p.w)
			}
			return
		case now := <-ticker.C:
			window = append(window, sample{now, p.rec.completed.Load()})
			for len(window) > 2 && now.Sub(window[0].at) > 2*time.Second {
				window = window[1:]
			}
			first, last := window[0], window[len(window)-1]
			rate := float64(last.count-first.count) / last.at.Sub(first.at).Seconds()
			line := p.line(now, rate)
			if p.terminal {
				fmt.Fprintf(p.w, "\r%s", line)
			} else if now.Sub(lastLine) >= 5*time.Second {
				fmt.Fprintln(p.w, line)
				lastLine = now
			}
		}
	}
}

// line is one state of the bar: phase, bar, elapsed time, live throughput, completions.
func (p *progress) line(now time.Time, rate float64) string {
	elapsed := now.Sub(p.rec.start)
	phase := "warm-up"
	if now.After(p.rec.measureFrom) {
		phase = "measure"
	}
	if now.After(p.rec.measureTo) {
		phase = "drain  "
	}
	const width = 30
	filled := int(float64(width) * min(1, float64(elapsed)/float64(p.total)))
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	return fmt.Sprintf("%s %s [%s] %5.1fs/%.0fs %8.0f tx/s %9d done", p.label, phase, bar,
		elapsed.Seconds(), p.total.Seconds(), rate, p.rec.completed.Load())
}
