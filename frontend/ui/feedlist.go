package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

// feedList shows the most recent updates, newest first. The list scrolls
// and can be focused, so that a keyboard scrolls it too.
type feedList struct {
	app.Compo
	Events []stock.StockPriceEvent
	Stale  bool
}

// Render draws the feed: the list carries data-feed, each entry its event
// id in data-id, its symbol in data-feed-symbol and a data-price child.
func (f *feedList) Render() app.UI {
	return app.Section().Class("feed").DataSet("part", partFeed).Aria("labelledby", "feed-title").Body(
		app.H2().ID("feed-title").Text("Live feed"),
		app.If(len(f.Events) == 0, func() app.UI {
			return app.P().Class("empty").Text("No updates yet.")
		}),
		app.Ol().Class("feed-list", staleClass(f.Stale)).DataSet("feed", "updates").
			TabIndex(0).Aria("label", "Latest updates, newest first").
			Body(app.Range(f.Events).Slice(func(i int) app.UI {
				e := f.Events[i]
				return app.Li().Class("feed-item").DataSet("id", e.ID).DataSet("feed-symbol", e.Symbol).Body(
					app.Time().Class("feed-time").DateTime(e.Timestamp.Format(time.RFC3339Nano)).
						Text(market.FormatTime(e.Timestamp)),
					app.Span().Class("feed-sym").Text(e.Symbol),
					app.Span().Class("feed-price").DataSet("price", e.Price.String()).Text(market.FormatPrice(e.Price)),
				)
			})),
	)
}
