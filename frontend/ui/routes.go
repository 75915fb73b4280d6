package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/shared/stock"
)

// Routes registers the app's pages. The wasm main calls it; the server
// calls RoutesWithPrices, so that every page the browser can show is also
// served.
func Routes() { RoutesWithPrices(nil) }

// RoutesWithPrices registers the app's pages for the server. latest, if not
// nil, returns the prices the server renders into the first page, so a
// visitor sees prices before the app has loaded (marked as not live yet).
func RoutesWithPrices(latest func() []stock.StockPriceEvent) {
	app.Route("/", func() app.Composer { return newDashboard(latest) })
}
