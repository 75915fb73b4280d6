package market

import (
	"slices"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// HistoryLen is the number of recent prices a Quote keeps for its sparkline.
const HistoryLen = 48

// FeedLen is the number of updates the live feed keeps, newest first.
const FeedLen = 40

// Direction says which way the last price moved.
type Direction int

// The directions of a price move.
const (
	Flat Direction = iota
	Up
	Down
)

// Quote is the state of one symbol's row. A Quote returned by a Board is a
// value the Board never changes afterwards: its History is never written
// again, so a component that keeps it can compare it with the next one.
type Quote struct {
	Symbol    string
	Price     stock.Price
	Open      stock.Price // the session's open: change is measured from it
	OpenDay   time.Time   // the UTC day of the session Open belongs to
	ID        string
	Timestamp time.Time
	Move      Direction // direction of the last change
	Changes   int       // number of price changes seen, for restarting the flash
	History   []float64 // recent prices, oldest first, at most HistoryLen
}

// Change returns the price change since the session's open, in millionths.
func (q Quote) Change() int64 { return q.Price.Micros() - q.Open.Micros() }

// ChangePercent returns the change since the session's open in percent; it
// is 0 when there is no open.
func (q Quote) ChangePercent() float64 {
	return ChangePercent(q.Open, q.Price)
}

// row is a symbol's quote as the Board works on it. Its history is written
// in place; the Quote handed out holds a copy taken when it last changed.
type row struct {
	quote   Quote
	history []float64
	changed bool // history differs from quote.History
}

// Board is the dashboard's state. The zero Board is empty and ready to use.
// A Board is not safe for concurrent use: the UI goroutine owns it.
//
// What Quotes and Feed return is never modified afterwards: every change
// yields new slices. A component compares its old and new fields to decide
// whether to render again, and a slice changed under its feet would compare
// equal to itself and freeze the component.
type Board struct {
	rows    map[string]*row
	symbols []string                // sorted
	feed    []stock.StockPriceEvent // newest first; replaced, never written
}

// Len returns the number of symbols on the board.
func (b *Board) Len() int { return len(b.rows) }

// Quote returns the row of one symbol.
func (b *Board) Quote(symbol string) (Quote, bool) {
	r, ok := b.rows[symbol]
	if !ok {
		return Quote{}, false
	}
	return r.publish(), true
}

// Quotes returns every row sorted by symbol, in a new slice.
func (b *Board) Quotes() []Quote {
	out := make([]Quote, len(b.symbols))
	for i, s := range b.symbols {
		out[i] = b.rows[s].publish()
	}
	return out
}

// Feed returns the recent updates, newest first. The slice is replaced, not
// modified, when updates arrive.
func (b *Board) Feed() []stock.StockPriceEvent { return b.feed }

// Apply adds live updates in stream order: each moves its symbol's price,
// history and direction and enters the feed. An event older than the newest
// one already applied to its symbol is ignored, so a replay that overlaps
// what was seen changes nothing. An event of a later UTC day than its
// symbol's session open starts a new session: its price is the new open.
func (b *Board) Apply(events ...stock.StockPriceEvent) {
	fresh := make([]stock.StockPriceEvent, 0, min(len(events), FeedLen))
	for _, e := range events {
		if !b.apply(e) {
			continue
		}
		if len(fresh) == FeedLen {
			fresh = append(fresh[:0], fresh[1:]...)
		}
		fresh = append(fresh, e)
	}
	if len(fresh) == 0 {
		return
	}
	slices.Reverse(fresh)
	b.feed = append(fresh, b.feed[:min(len(b.feed), FeedLen-len(fresh))]...)
}

// Snapshot replaces the board with the latest event of every symbol. A
// symbol's open is the snapshot's when it carries one; otherwise the open
// already on the board for the same session is kept, or else the
// snapshot's price becomes the open. Symbols missing from the snapshot
// leave the board; the history of the others goes on.
func (b *Board) Snapshot(latest []stock.Latest) {
	old := b.rows
	b.rows = make(map[string]*row, len(latest))
	b.symbols = b.symbols[:0:0]
	for _, l := range latest {
		r, ok := old[l.Symbol]
		if !ok {
			r = &row{quote: Quote{Symbol: l.Symbol}}
		}
		if _, dup := b.rows[l.Symbol]; !dup {
			b.insert(l.Symbol, r)
		}
		r.move(l.StockPriceEvent)
		day := stock.SessionDay(l.Timestamp)
		switch {
		case !l.Open.IsZero():
			r.quote.Open, r.quote.OpenDay = l.Open, day
		case r.quote.Open.IsZero() || !r.quote.OpenDay.Equal(day):
			r.quote.Open, r.quote.OpenDay = l.Price, day
		}
	}
	b.pruneFeed()
}

// apply moves one symbol; it reports whether the event was new.
func (b *Board) apply(e stock.StockPriceEvent) bool {
	if b.rows == nil {
		b.rows = make(map[string]*row)
	}
	r, ok := b.rows[e.Symbol]
	switch {
	case !ok:
		r = &row{quote: Quote{Symbol: e.Symbol}}
		b.insert(e.Symbol, r)
	case r.quote.ID != "" && !stock.NewerID(e.ID, r.quote.ID):
		return false
	}
	r.move(e)
	open := stock.SessionOpen{Day: stock.UnixDay(r.quote.OpenDay), Price: r.quote.Open}
	if next := open.Next(e); next != open {
		r.quote.Open, r.quote.OpenDay = next.Price, stock.SessionDay(e.Timestamp)
	}
	return true
}

// insert adds a row, keeping the symbols sorted.
func (b *Board) insert(symbol string, r *row) {
	b.rows[symbol] = r
	b.symbols = append(b.symbols, symbol)
	slices.Sort(b.symbols)
}

// move sets the row's latest price and extends its history.
func (r *row) move(e stock.StockPriceEvent) {
	q := &r.quote
	if q.ID == e.ID && q.Price == e.Price {
		return
	}
	q.Move = direction(q.Price, e.Price)
	if q.Move != Flat {
		q.Changes++
	}
	q.Price, q.ID, q.Timestamp = e.Price, e.ID, e.Timestamp
	r.history = appendCapped(r.history, e.Price.Float64(), HistoryLen)
	r.changed = true
}

// publish returns the row's Quote, with a copy of the history taken when
// the history changed since the last call.
func (r *row) publish() Quote {
	if r.changed {
		r.quote.History = slices.Clone(r.history)
		r.changed = false
	}
	return r.quote
}

func direction(from, to stock.Price) Direction {
	switch {
	case from.IsZero() || to == from:
		return Flat
	case to.Micros() > from.Micros():
		return Up
	default:
		return Down
	}
}

// appendCapped appends v to h, dropping the oldest values beyond n; it
// writes h in place.
func appendCapped(h []float64, v float64, n int) []float64 {
	if len(h) >= n {
		h = append(h[:0], h[len(h)-n+1:]...)
	}
	return append(h, v)
}

// ShortHistories returns the symbols whose sparkline history is not full,
// in order.
func (b *Board) ShortHistories() []string {
	var out []string
	for _, s := range b.symbols {
		if len(b.rows[s].history) < HistoryLen {
			out = append(out, s)
		}
	}
	return out
}

// Backfill puts the closes of a symbol's recent bars (oldest first) before
// its history, so that its sparkline does not start flat. It does nothing
// for a symbol not on the board or whose history is already full.
func (b *Board) Backfill(symbol string, closes []float64) {
	r, ok := b.rows[symbol]
	if !ok || len(r.history) >= HistoryLen || len(closes) == 0 {
		return
	}
	h := append(slices.Clone(closes), r.history...)
	r.history = h[max(0, len(h)-HistoryLen):]
	r.changed = true
}

// Retain removes every symbol not in symbols, and their updates from the
// feed.
func (b *Board) Retain(symbols []string) {
	for s := range b.rows {
		if !slices.Contains(symbols, s) {
			delete(b.rows, s)
		}
	}
	kept := make([]string, 0, len(b.rows))
	for _, s := range b.symbols {
		if b.rows[s] != nil {
			kept = append(kept, s)
		}
	}
	b.symbols = kept
	b.pruneFeed()
}

// pruneFeed drops the updates of symbols no longer on the board, into a new
// slice.
func (b *Board) pruneFeed() {
	feed := make([]stock.StockPriceEvent, 0, len(b.feed))
	for _, e := range b.feed {
		if b.rows[e.Symbol] != nil {
			feed = append(feed, e)
		}
	}
	b.feed = feed
}
