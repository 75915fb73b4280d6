package market

import (
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Saved is the part of a Quote kept in the browser between visits, so that
// the app opens with the last-known prices when the server is unreachable.
type Saved struct {
	Symbol    string      `json:"symbol"`
	Price     stock.Price `json:"price"`
	Open      stock.Price `json:"open"`
	ID        string      `json:"id"`
	Timestamp time.Time   `json:"timestamp"`
}

// Save returns what to keep of the board, sorted by symbol.
func (b *Board) Save() []Saved {
	qs := b.Quotes()
	out := make([]Saved, len(qs))
	for i, q := range qs {
		out[i] = Saved{Symbol: q.Symbol, Price: q.Price, Open: q.Open, ID: q.ID, Timestamp: q.Timestamp}
	}
	return out
}
