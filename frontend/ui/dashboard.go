package ui

import (
	"slices"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
	"github.com/stockstream/stockstream/shared/stock"
)

// dashboard draws the page at "/": the prices, the watchlist and the live
// feed.
func (p *page) dashboard() app.UI {
	stale := p.status == live.StatusOffline
	return app.Div().Class("app").Body(
		p.header(app.Div().Class("brand").Body(
			app.Img().Class("logo").Src("/web/icon.svg").Attr("role", "presentation").Width(32).Height(32),
			app.H1().Text("StockStream"),
		)),
		p.access(),
		app.Main().Class("content").Body(
			app.If(p.update, func() app.UI { return &updateBanner{} }),
			p.part(partNote, func() app.UI {
				return &statusNote{Status: p.status, AsOf: p.asOf, Empty: p.board.Len() == 0,
					Stopped: p.sess.refusal != nil, Delay: p.sess.info.delay()}
			}),
			p.part(partWatch, func() app.UI { return &watchlist{Symbols: p.symbols, Ready: p.stream != nil} }),
			app.Div().Class("panels").Body(
				p.part(partTable, func() app.UI { return &quoteTable{Quotes: p.board.Quotes(), Stale: stale} }),
				p.part(partFeed, func() app.UI { return &feedList{Events: p.board.Feed(), Stale: stale} }),
			),
		),
		app.If(app.IsServer && p.src.Latest != nil, func() app.UI { return handOver(prerenderedID, p.prerender) }),
	)
}

// onWatch switches the stream to the symbols the watchlist sent (and the
// symbol of the page shown). The rows of symbols no longer watched leave
// at once; the others stay until the new stream's snapshot replaces them.
func (p *page) onWatch(ctx app.Context, a app.Action) {
	symbols, _ := a.Value.([]string)
	p.symbols = symbols
	saveWatchlist(symbols)
	if len(symbols) > 0 {
		p.board.Retain(symbols)
	}
	p.connect()
}

// watched returns the prices of the watched symbols; all when none are.
func watched(latest []stock.Latest, symbols []string) []stock.Latest {
	if len(symbols) == 0 {
		return latest
	}
	var out []stock.Latest
	for _, l := range latest {
		if slices.Contains(symbols, l.Symbol) {
			out = append(out, l)
		}
	}
	return out
}

// watchedEvents returns the updates of the watched symbols, in a new slice.
func watchedEvents(events []stock.StockPriceEvent, symbols []string) []stock.StockPriceEvent {
	out := make([]stock.StockPriceEvent, 0, len(events))
	for _, e := range events {
		if slices.Contains(symbols, e.Symbol) {
			out = append(out, e)
		}
	}
	return out
}
