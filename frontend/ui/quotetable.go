package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/market"
)

// quoteTable lists one row per symbol, sorted by symbol, under a header
// that shares the rows' columns.
type quoteTable struct {
	app.Compo
	Quotes []market.Quote
	Stale  bool
}

// Render draws the header and the rows.
func (t *quoteTable) Render() app.UI {
	return app.Section().Class("quotes").DataSet("part", partTable).Aria("label", "Prices").Body(
		app.Div().Class("qtable").Role("table").Aria("label", "Latest prices").Body(
			app.Div().Class("qrow qhead").Role("row").Body(
				app.Span().Class("sym").Role("columnheader").Text("Symbol"),
				app.Span().Class("price").Role("columnheader").Text("Price"),
				app.Span().Class("chg").Role("columnheader").Text("Change"),
				app.Span().Class("pct").Role("columnheader").Text("Change %"),
				app.Span().Class("spark").Role("columnheader").Text("Trend"),
			),
			app.Range(t.Quotes).Slice(func(i int) app.UI {
				return &quoteRow{Quote: t.Quotes[i], Stale: t.Stale}
			}),
		),
		app.If(len(t.Quotes) == 0, func() app.UI {
			return app.P().Class("empty").Text("Waiting for prices…")
		}),
	)
}
