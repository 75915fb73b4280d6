package display

import (
	"fmt"
	"strconv"
	"time"

	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/stock"
)

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
