// Package display shows the prices of a stream as `stockstream watch`
// does: a live table redrawn in place on a terminal (Table), one plain
// line per price elsewhere (Lines), or NDJSON events (JSON).
package display

import (
	"bufio"
	"fmt"
	"io"

	"github.com/stockstream/stockstream/shared/client"
)

// Display is where watch shows the messages of a stream.
type Display interface {
	// Show shows one message; an error means the output is gone.
	Show(client.Message) error
	// Note tells the user something on stderr.
	Note(string)
	// Close ends the display.
	Close()
}

var (
	_ Display = (*JSON)(nil)
	_ Display = (*Lines)(nil)
	_ Display = (*Table)(nil)
)

// notePrefix starts every note.
const notePrefix = "stockstream watch: "

// JSON prints each price as one line of StockPriceEvent JSON, the NDJSON
// that publish and serve --replay read back. A snapshot is printed as its
// events, the latest of each symbol with its own id, so the output is
// only ever events.
type JSON struct {
	w      *bufio.Writer
	stderr io.Writer
	buf    []byte
}

// NewJSON returns a JSON display writing to stdout, notes to stderr.
func NewJSON(stdout, stderr io.Writer) *JSON {
	return &JSON{w: bufio.NewWriterSize(stdout, 64<<10), stderr: stderr}
}

// Show prints a message's events.
func (d *JSON) Show(m client.Message) error {
	d.buf = d.buf[:0]
	if m.Kind == client.Snapshot {
		for _, l := range m.Snapshot {
			d.buf = append(l.StockPriceEvent.AppendJSON(d.buf), '\n')
		}
	} else {
		d.buf = append(m.Event.AppendJSON(d.buf), '\n')
	}
	d.w.Write(d.buf)
	return d.w.Flush()
}

// Note writes s on stderr.
func (d *JSON) Note(s string) { fmt.Fprintf(d.stderr, "%s%s\n", notePrefix, s) }

// Close flushes what is left.
func (d *JSON) Close() { d.w.Flush() }

// Lines prints one plain line per price, for output that is not a
// terminal: time, symbol, price, change and change % from the open.
type Lines struct {
	out, stderr io.Writer
	board       board
}

// NewLines returns a Lines display writing to out, notes to stderr.
func NewLines(out, stderr io.Writer) *Lines { return &Lines{out: out, stderr: stderr} }

// Show prints a line for each price the message changed.
func (d *Lines) Show(m client.Message) error {
	for _, sym := range d.board.apply(m) {
		r := d.board.rows[sym]
		if _, err := fmt.Fprintf(d.out, "%s %s %s %s %s\n", r.ev.Timestamp.Local().Format("2006-01-02 15:04:05"), sym, r.ev.Price, r.change(), r.changePct()); err != nil {
			return err
		}
	}
	return nil
}

// Note writes s on stderr.
func (d *Lines) Note(s string) { fmt.Fprintf(d.stderr, "%s%s\n", notePrefix, s) }

// Close does nothing: every line is written.
func (d *Lines) Close() {}
