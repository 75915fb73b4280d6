package ui

import (
	"encoding/json"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

// Keys of what the dashboard keeps in the browser's localStorage.
const (
	pricesKey    = "stockstream.prices.v1"
	watchlistKey = "stockstream.watchlist.v1"
)

// savedBoard is the last-known board with its feed, kept so that the app
// opens offline with the prices, sparklines and updates it last showed.
type savedBoard struct {
	At     time.Time               `json:"at"`
	Quotes []market.Saved          `json:"quotes"`
	Feed   []stock.StockPriceEvent `json:"feed,omitempty"`
}

// saveBoard keeps the board for the next visit.
func saveBoard(b *market.Board, at time.Time) {
	if b.Len() > 0 {
		store(pricesKey, savedBoard{At: at, Quotes: b.Save(), Feed: b.Feed()})
	}
}

// loadBoard returns the board saved by an earlier visit.
func loadBoard() (savedBoard, bool) {
	var s savedBoard
	ok := load(pricesKey, &s)
	return s, ok && len(s.Quotes) > 0
}

func saveWatchlist(symbols []string) { store(watchlistKey, symbols) }

// loadWatchlist returns the saved watchlist, dropping anything that is not
// a symbol.
func loadWatchlist() []string {
	var saved []string
	load(watchlistKey, &saved)
	var out []string
	for _, s := range saved {
		if sym, err := stock.ParseSymbol(s); err == nil && len(out) < maxWatch {
			out = append(out, sym)
		}
	}
	return out
}

// store writes v as JSON under key. It works without a component's
// context, so that the dashboard can read what it saved before its first
// render.
func store(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		app.Log("saving", key+":", err)
		return
	}
	app.Window().Get("localStorage").Call("setItem", key, string(b))
}

// load reads the JSON under key into v; it reports whether there was a
// value that decoded.
func load(key string, v any) bool {
	item := app.Window().Get("localStorage").Call("getItem", key)
	if item.Type() != app.TypeString {
		return false
	}
	if err := json.Unmarshal([]byte(item.String()), v); err != nil {
		app.Log("reading", key+":", err)
		return false
	}
	return true
}
