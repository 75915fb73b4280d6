package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stockstream/stockstream/backend/feed"
)

// progressEvery bounds how often the progress bar is redrawn.
const progressEvery = 100 * time.Millisecond

// progress shows how far publish got: a bar on stderr when it is a
// terminal, redrawn in place; nothing but notes otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	read  atomic.Int64 // bytes read of all files
	total atomic.Int64 // their size; 0 if unknown (standard input)

	mu    sync.Mutex
	last  time.Time
	shown bool
}

func newProgress(w io.Writer, tty bool) *progress { return &progress{w: w, tty: tty} }

// count wraps a file of size bytes (0: unknown) so that reading it moves
// the bar.
func (p *progress) count(rc io.ReadCloser, size int64) io.ReadCloser {
	p.total.Add(size)
	return &countingReader{ReadCloser: rc, n: &p.read}
}

// update redraws the bar after a batch, at most every progressEvery.
func (p *progress) update(st feed.Stats) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < progressEvery {
		return
	}
	p.last, p.shown = time.Now(), true
	rate := float64(st.Prices) / max(time.Since(st.Started).Seconds(), 1e-9)
	line := fmt.Sprintf("%s prices, %d symbols, %s/s, at %s", thousands(int64(st.Prices)), len(st.Symbols), thousands(int64(rate)), st.Last.Format("2006-01-02 15:04:05"))
	if total := p.total.Load(); total > 0 {
		frac := min(float64(p.read.Load())/float64(total), 1)
		const width = 24
		full := int(frac * width)
		line = fmt.Sprintf("[%s%s] %3.0f%% %s", strings.Repeat("#", full), strings.Repeat(".", width-full), frac*100, line)
	}
	cols, _ := termSize(p.w)
	fmt.Fprintf(p.w, "\r%s\x1b[K", fit(line, cols-1))
}

// note writes a message on a line of its own.
func (p *progress) note(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintf(p.w, "stockstream publish: %s\n", s)
}

// done removes the bar.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

func (p *progress) clear() {
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// countingReader adds the bytes it reads to n.
type countingReader struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.ReadCloser.Read(b)
	c.n.Add(int64(n))
	return n, err
}
