package market

import (
	"slices"
	"strings"
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

// Quote is the state of one symbol's row.
type Quote struct {
	Symbol    string
	Price     stock.Price
	Open      stock.Price // the session's first price
	ID        string
	Timestamp time.Time
	Move      Direction // direction of the last change
	Changes   int       // number of price changes seen, for restarting the flash
	History   []float64 // recent prices, oldest first, at most HistoryLen
}

// Change returns the price change since the session's first price, in
// millionths.
func (q Quote) Change() int64 { return q.Price.Micros() - q.Open.Micros() }

// ChangePercent returns the change since the session's first price in
// percent; it is 0 when there is no first price.
func (q Quote) ChangePercent() float64 {
	return ChangePercent(q.Open, q.Price)
}

// Board is the dashboard's state. The zero Board is empty and ready to use.
// A Board is not safe for concurrent use: the UI goroutine owns it.
type Board struct {
	quotes map[string]*Quote
	feed   []stock.StockPriceEvent // newest first
	// Stale is true while the prices shown were loaded from storage or the
	// connection is lost: they may be out of date.
	Stale bool
}

// Len returns the number of symbols on the board.
func (b *Board) Len() int { return len(b.quotes) }

// Quote returns the row of one symbol.
func (b *Board) Quote(symbol string) (Quote, bool) {
	q, ok := b.quotes[symbol]
	if !ok {
		return Quote{}, false
	}
	return *q, true
}

// Quotes returns every row sorted by symbol.
func (b *Board) Quotes() []Quote {
	out := make([]Quote, 0, len(b.quotes))
	for _, q := range b.quotes {
		out = append(out, *q)
	}
	slices.SortFunc(out, func(a, b Quote) int { return strings.Compare(a.Symbol, b.Symbol) })
	return out
}

// Feed returns the recent updates, newest first.
func (b *Board) Feed() []stock.StockPriceEvent { return b.feed }

// Apply adds live updates in stream order: each moves its symbol's price,
// history and direction and enters the feed. An event older than the
// newest one already applied to its symbol is ignored, so a replay that
// overlaps what was seen changes nothing.
func (b *Board) Apply(events ...stock.StockPriceEvent) {
	for _, e := range events {
		if b.apply(e) {
			b.pushFeed(e)
		}
	}
	b.Stale = false
}

// Snapshot replaces the board with the latest event of every symbol. The
// session's first price of a symbol already on the board is kept; symbols
// missing from the snapshot leave the board.
func (b *Board) Snapshot(events []stock.StockPriceEvent) {
	old := b.quotes
	b.quotes = make(map[string]*Quote, len(events))
	for _, e := range events {
		if q, ok := old[e.Symbol]; ok {
			b.quotes[e.Symbol] = q
		}
		b.apply(e)
	}
	b.Stale = false
}

// Restore fills an empty board with prices saved by an earlier visit and
// marks it stale.
func (b *Board) Restore(saved []Saved) {
	b.quotes = make(map[string]*Quote, len(saved))
	for _, s := range saved {
		if _, err := stock.ParseSymbol(s.Symbol); err != nil || s.Price.IsZero() {
			continue
		}
		open := s.Open
		if open.IsZero() {
			open = s.Price
		}
		b.quotes[s.Symbol] = &Quote{Symbol: s.Symbol, Price: s.Price, Open: open, ID: s.ID,
			Timestamp: s.Timestamp, History: []float64{s.Price.Float64()}}
	}
	b.Stale = len(b.quotes) > 0
}

// apply moves one symbol; it reports whether the event was new.
func (b *Board) apply(e stock.StockPriceEvent) bool {
	if b.quotes == nil {
		b.quotes = make(map[string]*Quote)
	}
	q, ok := b.quotes[e.Symbol]
	if !ok {
		q = &Quote{Symbol: e.Symbol, Open: e.Price}
		b.quotes[e.Symbol] = q
	} else if q.ID != "" && !stock.NewerID(e.ID, q.ID) {
		return false
	}
	q.Move = direction(q.Price, e.Price)
	if q.Move != Flat && !q.Price.IsZero() {
		q.Changes++
	}
	q.Price, q.ID, q.Timestamp = e.Price, e.ID, e.Timestamp
	q.History = appendCapped(q.History, e.Price.Float64(), HistoryLen)
	return true
}

func (b *Board) pushFeed(e stock.StockPriceEvent) {
	if len(b.feed) < FeedLen {
		b.feed = append(b.feed, stock.StockPriceEvent{})
	}
	copy(b.feed[1:], b.feed)
	b.feed[0] = e
}

func direction(from, to stock.Price) Direction {
	switch {
	case from.IsZero() || to.Micros() == from.Micros():
		return Flat
	case to.Micros() > from.Micros():
		return Up
	default:
		return Down
	}
}

func appendCapped(h []float64, v float64, n int) []float64 {
	if len(h) >= n {
		h = append(h[:0], h[len(h)-n+1:]...)
	}
	return append(h, v)
}
