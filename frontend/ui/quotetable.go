package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/market"
)

// quoteTable lists one row per symbol, sorted by symbol.
type quoteTable struct {
	app.Compo
	Quotes []market.Quote
	Stale  bool
}

// Render draws the header and the rows.
func (t *quoteTable) Render() app.UI {
	return app.Section().Class("quotes").Aria("label", "Prices").Body(
		app.Div().Class("qrow qhead").Body(
			app.Span().Class("sym").Text("Symbol"),
			app.Span().Class("price").Text("Price"),
			app.Span().Class("chg").Text("Change"),
			app.Span().Class("pct").Text("%"),
			app.Span().Class("spark").Text("Trend"),
		),
		app.If(len(t.Quotes) == 0, func() app.UI {
			return app.P().Class("empty").Text("Waiting for prices…")
		}),
		app.Range(t.Quotes).Slice(func(i int) app.UI {
			return &quoteRow{Quote: t.Quotes[i], Stale: t.Stale}
		}),
	)
}
