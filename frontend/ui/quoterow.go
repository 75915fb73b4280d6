package ui

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/market"
)

// quoteRow is one symbol: price, change and change % since the session's
// open, and a sparkline. It flashes green or red on each move.
type quoteRow struct {
	app.Compo
	Quote market.Quote
	Stale bool
}

// Render draws the row. The element with data-symbol holds the element with
// data-price whose text is the latest price (market.FormatPrice: exact, at
// least two decimals) and whose attribute is the price as the event
// carried it.
func (r *quoteRow) Render() app.UI {
	q := r.Quote
	trend := trendClass(q.Change())
	return app.Div().
		Class("qrow", flashClass(q), trend, staleClass(r.Stale)).
		Role("row").
		DataSet("symbol", q.Symbol).
		Body(
			app.Span().Class("sym").Role("rowheader").Body(
				app.Elem("a").Attr("href", "/stocks/"+q.Symbol).Title("Chart of "+q.Symbol).Text(q.Symbol),
			),
			app.Span().Class("price").Role("cell").DataSet("price", q.Price.String()).Text(market.FormatPrice(q.Price)),
			app.Span().Class("chg").Role("cell").Text(market.FormatChange(q.Change())),
			app.Span().Class("pct").Role("cell").Text(market.FormatPercent(q.ChangePercent())),
			app.Span().Class("spark").Role("cell").Body(
				&sparkline{Label: q.Symbol + " price trend", History: q.History, Trend: trend},
			),
		)
}

// flashClass alternates between two equal animations so that every move
// restarts the flash, even when moves come in every frame.
func flashClass(q market.Quote) string {
	switch q.Move {
	case market.Up:
		return "flash-up-" + strconv.Itoa(q.Changes%2)
	case market.Down:
		return "flash-down-" + strconv.Itoa(q.Changes%2)
	}
	return ""
}

func trendClass(change int64) string {
	switch {
	case change > 0:
		return "up"
	case change < 0:
		return "down"
	}
	return "flat"
}

func staleClass(stale bool) string {
	if stale {
		return "stale"
	}
	return ""
}
