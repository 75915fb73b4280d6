// Package report tells a person how loading and publishing price files
// goes: a progress bar on a terminal (rows, rate and time left), plain
// lines elsewhere, and at the end what was published, or what a dry run
// found.
package report

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/shared/pricefile"
)

// Timing of the output.
const (
	// redrawEvery bounds how often a bar is redrawn.
	redrawEvery = 100 * time.Millisecond
	// lineEvery is how often a plain line says how far a long load or
	// publish got.
	lineEvery = 10 * time.Second
)

// barWidth is the width of the bar itself, in columns.
const barWidth = 24

// Meter shows progress: on a terminal a bar, redrawn in place; elsewhere a
// line through line when a file starts and ends loading, and every
// lineEvery in between.
type Meter struct {
	w    io.Writer
	tty  bool
	line func(string)

	mu       sync.Mutex
	bar      *progressbar.ProgressBar
	name     string // of the file loading
	size     int64
	total    int // prices to publish
	started  time.Time
	lastLine time.Time
	lastDraw time.Time
}

var _ feed.LoadProgress = (*Meter)(nil)

// New returns a Meter that draws bars on w when tty is set, and otherwise
// says how things go with line.
func New(w io.Writer, tty bool, line func(string)) *Meter {
	return &Meter{w: w, tty: tty, line: line}
}

// newBar returns a bar of max units (-1: unknown).
func (m *Meter) newBar(max int64, opts ...progressbar.Option) *progressbar.ProgressBar {
	return progressbar.NewOptions64(max, append([]progressbar.Option{
		progressbar.OptionSetWriter(m.w),
		progressbar.OptionSetWidth(barWidth),
		progressbar.OptionThrottle(0), // drawn at most every redrawEvery by redraw
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionSetRenderBlankState(true),
	}, opts...)...)
}

// Start shows that the file name of size bytes (0: unknown) starts
// loading.
func (m *Meter) Start(name string, size int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.name, m.size, m.started, m.lastLine = name, size, time.Now(), time.Now()
	if !m.tty {
		m.line(fmt.Sprintf("loading %s%s", name, sizeText(size)))
		return
	}
	max := size
	if max <= 0 {
		max = -1
	}
	m.bar = m.newBar(max, progressbar.OptionShowBytes(true), progressbar.OptionShowCount(),
		progressbar.OptionSetDescription("loading "+name))
}

// Read shows how much of the file has been read.
func (m *Meter) Read(bytes int64, rows int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tty {
		m.redraw(bytes, fmt.Sprintf("loading %s: %s rows", m.name, thousands(int64(rows))))
		return
	}
	if time.Since(m.lastLine) < lineEvery {
		return
	}
	m.lastLine = time.Now()
	s := fmt.Sprintf("loading %s: %s rows", m.name, thousands(int64(rows)))
	if m.size > 0 {
		s += fmt.Sprintf(", %.0f%%", 100*float64(bytes)/float64(m.size))
	}
	m.line(s)
}

// Done shows that the file has loaded, or why it was refused (the caller
// reports the error).
func (m *Meter) Done(f *pricefile.File, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.finish()
	if err != nil {
		return
	}
	s := f.Summary
	msg := fmt.Sprintf("loaded %s: %s of %s in %s", s.Name, plural(s.Quotes, "price"), plural(len(s.Symbols), "symbol"), time.Since(m.started).Round(time.Millisecond))
	if n := s.Skipped.Total(); n > 0 {
		msg += fmt.Sprintf(", %s skipped", plural(n, "row"))
	}
	m.say(msg)
}

// Publishing shows that publishing total prices starts.
func (m *Meter) Publishing(total int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.total, m.started, m.lastLine = total, time.Now(), time.Now()
	if m.tty {
		m.bar = m.newBar(int64(total), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("prices"), progressbar.OptionSetDescription("publishing"))
	}
}

// Published shows that prices have been published, the last of them
// stamped at.
func (m *Meter) Published(prices int, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tty {
		m.redraw(int64(prices), "publishing, at "+at.UTC().Format("2006-01-02 15:04:05"))
		return
	}
	if time.Since(m.lastLine) < lineEvery {
		return
	}
	m.lastLine = time.Now()
	rate := float64(prices) / max(time.Since(m.started).Seconds(), 1e-9)
	m.line(fmt.Sprintf("published %s of %s prices (%.0f%%), %s prices/s, at %s", thousands(int64(prices)), thousands(int64(m.total)),
		100*float64(prices)/float64(max(m.total, 1)), thousands(int64(rate)), at.UTC().Format(time.RFC3339)))
}

// redraw sets the bar's value and description, at most every redrawEvery.
func (m *Meter) redraw(value int64, description string) {
	if time.Since(m.lastDraw) < redrawEvery {
		return
	}
	m.lastDraw = time.Now()
	m.bar.Set64(value)
	m.bar.Describe(description)
}

// Note says s on a line of its own, above the bar.
func (m *Meter) Note(s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.say(s)
}

// Finish removes the bar.
func (m *Meter) Finish() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.finish()
}

func (m *Meter) finish() {
	if m.bar != nil {
		m.bar.Finish()
		m.bar = nil
	}
}

// say writes a line, clearing the bar first; the bar comes back at its
// next update.
func (m *Meter) say(s string) {
	if m.bar != nil {
		m.bar.Clear()
	}
	m.line(s)
}

// sizeText describes a file's size, if known.
func sizeText(size int64) string {
	if size <= 0 {
		return ""
	}
	return fmt.Sprintf(" (%s bytes)", thousands(size))
}

// plural writes n things, in the plural unless n is 1.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return thousands(int64(n)) + " " + thing + "s"
}

// thousands writes n with thousands separators: 12,345.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
