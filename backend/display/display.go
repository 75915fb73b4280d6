package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/stock"
)

// jsonDisplay prints each price as one line of StockPriceEvent JSON, the
// NDJSON that publish and serve --replay read back. A snapshot is printed
// as its events, the latest of each symbol with its own id, so the output
// is only ever events.
type jsonDisplay struct {
	w      *bufio.Writer
	stderr io.Writer
	buf    []byte
}

func newJSONDisplay(stdout, stderr io.Writer) *jsonDisplay {
	return &jsonDisplay{w: bufio.NewWriterSize(stdout, 64<<10), stderr: stderr}
}

func (d *jsonDisplay) show(m client.Message) error {
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

func (d *jsonDisplay) note(s string) { fmt.Fprintf(d.stderr, "stockstream watch: %s\n", s) }

func (d *jsonDisplay) close() { d.w.Flush() }

// lineDisplay prints one plain line per price, for output that is not a
// terminal.
type lineDisplay struct {
	out, stderr io.Writer
	board       board
}

func (d *lineDisplay) show(m client.Message) error {
	for _, sym := range d.board.apply(m) {
		r := d.board.rows[sym]
		if _, err := fmt.Fprintf(d.out, "%s %s %s %s %s\n", r.ev.Timestamp.Local().Format("2006-01-02 15:04:05"), sym, r.ev.Price, r.change(), r.changePct()); err != nil {
			return err
		}
	}
	return nil
}

func (d *lineDisplay) note(s string) { fmt.Fprintf(d.stderr, "stockstream watch: %s\n", s) }

func (d *lineDisplay) close() {}

// board is the latest price of each symbol with its session open.
type board struct {
	rows map[string]*row
}

// row is one symbol's latest price and the open its change is from.
type row struct {
	ev   stock.StockPriceEvent
	open stock.Price
	day  time.Time // the UTC day of open
}

// apply takes a message in and returns the symbols it changed. A snapshot
// replaces the board. The open of a symbol is the snapshot's, or else the
// first price seen on the event's UTC day.
func (b *board) apply(m client.Message) []string {
	if m.Kind == client.Snapshot {
		b.rows = make(map[string]*row, len(m.Snapshot))
		syms := make([]string, 0, len(m.Snapshot))
		for _, l := range m.Snapshot {
			open := l.Open
			if open.IsZero() {
				open = l.Price
			}
			b.rows[l.Symbol] = &row{ev: l.StockPriceEvent, open: open, day: stock.SessionDay(l.Timestamp)}
			syms = append(syms, l.Symbol)
		}
		return syms
	}
	if b.rows == nil {
		b.rows = map[string]*row{}
	}
	e := m.Event
	r := b.rows[e.Symbol]
	if day := stock.SessionDay(e.Timestamp); r == nil || day.After(r.day) {
		r = &row{open: e.Price, day: day}
		b.rows[e.Symbol] = r
	}
	r.ev = e
	return []string{e.Symbol}
}

// changeMicros is the change from the open in millionths.
func (r *row) changeMicros() int64 { return r.ev.Price.Micros() - r.open.Micros() }

// change is the exact change from the open, with its sign and at least
// two decimals.
func (r *row) change() string {
	m := r.changeMicros()
	sign := "+"
	if m < 0 {
		sign, m = "-", -m
	}
	f := strconv.FormatInt(1_000_000+m%1_000_000, 10)[1:] // six digits
	for len(f) > 2 && f[len(f)-1] == '0' {
		f = f[:len(f)-1]
	}
	return sign + strconv.FormatInt(m/1_000_000, 10) + "." + f
}

// changePct is the change in percent of the open, two decimals.
func (r *row) changePct() string {
	return fmt.Sprintf("%+.2f%%", float64(r.changeMicros())/float64(r.open.Micros())*100)
}
