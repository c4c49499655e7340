package demo

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// ProgressMode is how the demo shows progress while it runs.
type ProgressMode int

const (
	// ProgressLines prints a plain status line now and then, and a line
	// per event: for logs, pipes and CI.
	ProgressLines ProgressMode = iota
	// ProgressBar keeps one line updated in place (for a terminal), with
	// events printed above it.
	ProgressBar
	// ProgressNone prints events only.
	ProgressNone
)

// barWidth is the number of cells of the progress bar.
const barWidth = 12

// maxBarLine bounds the bar line: longer than the terminal, it would wrap
// and the next redraw would clear only its last row.
const maxBarLine = 79

// display draws the progress of a run. Only its goroutine writes to out
// until it stops.
type display struct {
	out      io.Writer
	mode     ProgressMode
	total    time.Duration
	start    time.Time
	tl       *timeline
	rec      *recorder
	breaker  string // the primary's breaker, shown on the line
	drawn    bool   // a bar line is on screen
	nextLine time.Duration
	printed  string // the last status line printed in line mode
}

// run redraws until stop is closed, then draws the final state.
func (d *display) run(stop <-chan struct{}) {
	every := 100 * time.Millisecond
	if d.mode != ProgressBar {
		every = 250 * time.Millisecond
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	d.nextLine = d.total / 10
	for {
		select {
		case <-stop:
			d.events()
			d.status(true)
			if d.drawn {
				fmt.Fprintln(d.out)
			}
			return
		case <-d.tl.notify:
			d.events()
			d.status(false)
		case <-tick.C:
			d.status(false)
		}
	}
}

// events prints the timeline's new events, above the bar.
func (d *display) events() {
	for _, e := range d.tl.takeEvents() {
		d.clear()
		fmt.Fprintln(d.out, e)
	}
}

// clear erases the bar line, if one is drawn.
func (d *display) clear() {
	if d.drawn {
		fmt.Fprint(d.out, "\r\033[K")
		d.drawn = false
	}
}

// status draws the bar, or in line mode prints a line every tenth of the
// run (and at the end).
func (d *display) status(final bool) {
	elapsed := min(time.Since(d.start), d.total)
	switch d.mode {
	case ProgressBar:
		d.clear()
		fmt.Fprint(d.out, d.line(elapsed))
		d.drawn = true
	case ProgressLines:
		if !final && elapsed < d.nextLine {
			return
		}
		for d.nextLine <= elapsed {
			d.nextLine += d.total / 10
		}
		if c := d.counts(); c != d.printed {
			d.printed = c
			fmt.Fprintf(d.out, "%6.1fs  %s\n", elapsed.Seconds(), c)
		}
	}
}

// line is the bar, the live counts and the state of the primary's breaker
// (the events above it say when the primary went down).
func (d *display) line(elapsed time.Duration) string {
	elapsed = min(elapsed, d.total)
	filled := 0
	if d.total > 0 {
		filled = int(float64(barWidth) * float64(elapsed) / float64(d.total))
	}
	filled = min(filled, barWidth)
	done, ok, fb := d.rec.counts()
	_, state := d.tl.state(d.breaker)
	l := fmt.Sprintf("[%s%s] %.1fs/%s  %d req  %.1f%% ok  %d fallbacks  breaker %s",
		strings.Repeat("#", filled), strings.Repeat("-", barWidth-filled),
		elapsed.Seconds(), d.total, done, successPercent(ok, done), fb, state)
	if len(l) > maxBarLine {
		l = l[:maxBarLine]
	}
	return l
}

// successPercent is ok over done, in percent (100 when nothing is done).
func successPercent(ok, done int) float64 {
	if done == 0 {
		return 100
	}
	return 100 * float64(ok) / float64(done)
}

// counts is the live summary: requests, success, fallbacks, primary state.
func (d *display) counts() string {
	done, ok, fb := d.rec.counts()
	down, state := d.tl.state(d.breaker)
	primary := "up"
	if down {
		primary = "DOWN"
	}
	return fmt.Sprintf("%d requests, %.1f%% ok, %d fallbacks | %s %s, breaker %s",
		done, successPercent(ok, done), fb, primaryName, primary, state)
}
