package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

// feedList shows the most recent updates, newest first.
type feedList struct {
	app.Compo
	Events []stock.StockPriceEvent
}

// Render draws the feed; each item carries its event id in data-id.
func (f *feedList) Render() app.UI {
	return app.Section().Class("feed").Aria("label", "Live feed").Body(
		app.H2().Text("Live feed"),
		app.If(len(f.Events) == 0, func() app.UI {
			return app.P().Class("empty").Text("No updates yet.")
		}),
		app.Ol().Class("feed-list").Body(
			app.Range(f.Events).Slice(func(i int) app.UI {
				e := f.Events[i]
				return app.Li().Class("feed-item").DataSet("id", e.ID).DataSet("feed-symbol", e.Symbol).Body(
					app.Time().Class("feed-time").DateTime(e.Timestamp.Format("2006-01-02T15:04:05Z07:00")).
						Text(market.FormatTime(e.Timestamp)),
					app.Span().Class("feed-sym").Text(e.Symbol),
					app.Span().Class("feed-price").Text(market.FormatPrice(e.Price)),
				)
			}),
		),
	)
}
