package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/market"
)

// Keys of what the dashboard keeps in the browser's localStorage.
const (
	pricesKey    = "stockstream.prices.v1"
	watchlistKey = "stockstream.watchlist.v1"
)

// savedPrices is the last-known board, kept so the app opens offline.
type savedPrices struct {
	At     time.Time      `json:"at"`
	Quotes []market.Saved `json:"quotes"`
}

func loadPrices(ctx app.Context) savedPrices {
	var s savedPrices
	if err := ctx.LocalStorage().Get(pricesKey, &s); err != nil {
		app.Log("reading saved prices:", err)
		return savedPrices{}
	}
	return s
}

func savePrices(ctx app.Context, b *market.Board, at time.Time) {
	if b.Len() == 0 {
		return
	}
	if err := ctx.LocalStorage().Set(pricesKey, savedPrices{At: at, Quotes: b.Save()}); err != nil {
		app.Log("saving prices:", err)
	}
}

func loadWatchlist(ctx app.Context) []string {
	var symbols []string
	if err := ctx.LocalStorage().Get(watchlistKey, &symbols); err != nil {
		return nil
	}
	return symbols
}

func saveWatchlist(ctx app.Context, symbols []string) {
	if err := ctx.LocalStorage().Set(watchlistKey, symbols); err != nil {
		app.Log("saving watchlist:", err)
	}
}
