package display

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stockstream/stockstream/backend/terminal"
	"github.com/stockstream/stockstream/shared/client"
)

// redrawEvery bounds how often the table is drawn, however fast prices come.
const redrawEvery = 100 * time.Millisecond

// ANSI sequences the table uses.
const (
	ansiGreen     = "\x1b[32m"
	ansiRed       = "\x1b[31m"
	ansiBold      = "\x1b[1m"
	ansiReset     = "\x1b[0m"
	ansiClearLine = "\x1b[K"
	ansiClearDown = "\x1b[J"
	ansiHideCur   = "\x1b[?25l"
	ansiShowCur   = "\x1b[?25h"
)

// Table is the live table watch draws on a terminal: one row per symbol,
// redrawn in place at most every redrawEvery, green up and red down
// unless colour is off, cut to the terminal's width and height.
type Table struct {
	out, stderr io.Writer
	url         string
	colour      bool

	mu     sync.Mutex
	board  board
	status string
	dirty  bool
	drawn  int // lines on screen from the last draw
	stop   chan struct{}
	done   chan struct{}
}

// NewTable starts drawing the table of the stream at url on out, notes on
// stderr, with colour or not; Close stops it.
func NewTable(out, stderr io.Writer, url string, colour bool) *Table {
	t := &Table{out: out, stderr: stderr, url: url, colour: colour, status: "connecting", dirty: true,
		stop: make(chan struct{}), done: make(chan struct{})}
	io.WriteString(out, ansiHideCur)
	go t.loop()
	return t
}

// loop redraws the table when it changed, until close.
func (t *Table) loop() {
	defer close(t.done)
	tick := time.NewTicker(redrawEvery)
	defer tick.Stop()
	for {
		t.mu.Lock()
		if t.dirty {
			t.draw()
		}
		t.mu.Unlock()
		select {
		case <-t.stop:
			return
		case <-tick.C:
		}
	}
}

// Show applies a message to the table, drawn at the next redraw.
func (t *Table) Show(m client.Message) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.board.apply(m)
	t.status, t.dirty = "live", true
	return nil
}

// Note erases the table, writes s to stderr (the same terminal, usually)
// and draws the table again below it.
func (t *Table) Note(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.erase()
	fmt.Fprintf(t.stderr, "%s%s\n", notePrefix, s)
	if strings.HasPrefix(s, "connection lost") {
		t.status = "reconnecting"
	}
	t.draw()
}

// Close draws the table a last time and shows the cursor again.
func (t *Table) Close() {
	select {
	case <-t.stop:
		return
	default:
	}
	close(t.stop)
	<-t.done
	t.mu.Lock()
	defer t.mu.Unlock()
	t.draw()
	io.WriteString(t.out, ansiShowCur)
}

// erase moves the cursor back to where the table starts and clears below.
func (t *Table) erase() {
	if t.drawn > 0 {
		fmt.Fprintf(t.out, "\r\x1b[%dA%s", t.drawn, ansiClearDown)
	}
	t.drawn = 0
}

// draw writes the table over the previous one.
func (t *Table) draw() {
	cols, rows := terminal.Size(t.out)
	lines := t.lines(cols, max(rows-1, 3))
	var b strings.Builder
	if t.drawn > 0 {
		fmt.Fprintf(&b, "\r\x1b[%dA", t.drawn)
	}
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString(ansiClearLine + "\n")
	}
	b.WriteString(ansiClearDown)
	io.WriteString(t.out, b.String())
	t.drawn, t.dirty = len(lines), false
}

// column is one column of the table, right-aligned unless left.
type column struct {
	head  string
	left  bool
	value func(sym string, r *row) string
}

// columns are the table's columns; on a narrow terminal the last ones are
// dropped first.
var columns = []column{
	{head: "SYMBOL", left: true, value: func(sym string, _ *row) string { return sym }},
	{head: "PRICE", value: func(_ string, r *row) string { return r.ev.Price.String() }},
	{head: "CHANGE%", value: func(_ string, r *row) string { return r.changePct() }},
	{head: "CHANGE", value: func(_ string, r *row) string { return r.change() }},
	{head: "TIME", value: func(_ string, r *row) string { return clock(r.ev.Timestamp) }},
}

// clock shows a time as the time of day if it is today, else the date.
func clock(ts time.Time) string {
	if l := ts.Local(); l.Format(time.DateOnly) != time.Now().Format(time.DateOnly) {
		return l.Format(time.DateOnly)
	}
	return ts.Local().Format(time.TimeOnly)
}

// lines renders the table for a terminal of width cols, at most height
// lines.
func (t *Table) lines(cols, height int) []string {
	syms := make([]string, 0, len(t.board.rows))
	for s := range t.board.rows {
		syms = append(syms, s)
	}
	slices.Sort(syms)
	cells := make([][]string, len(syms))
	widths := make([]int, len(columns))
	for j, c := range columns {
		widths[j] = len(c.head)
	}
	for i, s := range syms {
		cells[i] = make([]string, len(columns))
		for j, c := range columns {
			cells[i][j] = c.value(s, t.board.rows[s])
			widths[j] = max(widths[j], len(cells[i][j]))
		}
	}
	n := fitColumns(widths, cols)
	out := []string{fit(fmt.Sprintf("stockstream %s · %s · %d symbols", t.url, t.status, len(syms)), cols)}
	head := make([]string, len(columns))
	for j, c := range columns {
		head[j] = c.head
	}
	out = append(out, t.paint(ansiBold, t.row(head, widths, n, cols)))
	shown := min(len(syms), height-len(out))
	if shown < len(syms) {
		shown = max(shown-1, 0)
	}
	for i := range shown {
		line := t.row(cells[i], widths, n, cols)
		switch m := t.board.rows[syms[i]].changeMicros(); {
		case m > 0:
			line = t.paint(ansiGreen, line)
		case m < 0:
			line = t.paint(ansiRed, line)
		}
		out = append(out, line)
	}
	if shown < len(syms) {
		out = append(out, fit(fmt.Sprintf("… %d more symbols: make the terminal taller, or use --symbols", len(syms)-shown), cols))
	}
	return out
}

// fitColumns returns how many columns fit in cols (at least the symbol
// and the price).
func fitColumns(widths []int, cols int) int {
	n, used := 0, 0
	for j, w := range widths {
		if j >= 2 && used+w+2 > cols {
			break
		}
		used += w + 2
		n = j + 1
	}
	return n
}

// row lays out the first n cells, cut to cols.
func (t *Table) row(cells []string, widths []int, n, cols int) string {
	var b strings.Builder
	for j := range n {
		if j > 0 {
			b.WriteString("  ")
		}
		if columns[j].left {
			fmt.Fprintf(&b, "%-*s", widths[j], cells[j])
		} else {
			fmt.Fprintf(&b, "%*s", widths[j], cells[j])
		}
	}
	return fit(b.String(), cols)
}

// fit cuts s to width display columns (its text is ASCII but for "·" and
// "…", which take one column each).
func fit(s string, width int) string {
	r := []rune(s)
	if len(r) > width {
		return string(r[:max(width, 0)])
	}
	return s
}

// paint colours s when colour is on.
func (t *Table) paint(code, s string) string {
	if !t.colour {
		return s
	}
	return code + s + ansiReset
}
