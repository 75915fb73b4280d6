package ui

import (
	"net/url"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/shared/stock"
)

// Prices returns the latest prices the server renders into the page at
// page, so that a visitor sees prices before the app has loaded. The page's
// Host is the address the request was sent to.
type Prices func(page *url.URL) []stock.Latest

// Routes registers the app's pages with go-app. go-app keeps routes in one
// table per process, so it is called once: by the wasm main with nil, and
// by the server, before it serves, with the source of the prices to
// prerender (nil: pages without prices).
func Routes(prices Prices) {
	app.Route("/", func() app.Composer { return newDashboard(prices) })
}
