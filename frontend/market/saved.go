package market

import (
	"slices"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Saved is the part of a Quote kept in the browser between visits, so that
// the app opens with the last-known prices, their session open and their
// sparkline when the server is unreachable.
type Saved struct {
	Symbol    string      `json:"symbol"`
	Price     stock.Price `json:"price"`
	Open      stock.Price `json:"open"`
	OpenDay   time.Time   `json:"openDay,omitzero"`
	ID        string      `json:"id"`
	Timestamp time.Time   `json:"timestamp"`
	History   []float64   `json:"history,omitempty"`
}

// Save returns what to keep of the board's rows, sorted by symbol.
func (b *Board) Save() []Saved {
	qs := b.Quotes()
	out := make([]Saved, len(qs))
	for i, q := range qs {
		out[i] = Saved{Symbol: q.Symbol, Price: q.Price, Open: q.Open, OpenDay: q.OpenDay,
			ID: q.ID, Timestamp: q.Timestamp, History: q.History}
	}
	return out
}

// Restore replaces the board with rows and a feed saved by an earlier
// visit. Entries with an invalid symbol or no price are skipped; a missing
// open is the saved price.
func (b *Board) Restore(saved []Saved, feed []stock.StockPriceEvent) {
	b.rows = make(map[string]*row, len(saved))
	b.symbols = nil
	for _, s := range saved {
		if _, err := stock.ParseSymbol(s.Symbol); err != nil || s.Price.IsZero() {
			continue
		}
		if _, dup := b.rows[s.Symbol]; dup {
			continue
		}
		q := Quote{Symbol: s.Symbol, Price: s.Price, Open: s.Open, OpenDay: s.OpenDay, ID: s.ID, Timestamp: s.Timestamp}
		if q.Open.IsZero() {
			q.Open, q.OpenDay = s.Price, stock.SessionDay(s.Timestamp)
		}
		h := s.History[max(0, len(s.History)-HistoryLen):]
		if len(h) == 0 {
			h = []float64{s.Price.Float64()}
		}
		b.insert(s.Symbol, &row{quote: q, history: slices.Clone(h), changed: true})
	}
	b.feed = nil
	for _, e := range feed {
		if _, ok := b.rows[e.Symbol]; ok && len(b.feed) < FeedLen {
			b.feed = append(b.feed, e)
		}
	}
}
