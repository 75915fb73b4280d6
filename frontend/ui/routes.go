package ui

import (
	"net/url"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/shared/stock"
)

// Source is the server's data the pages are rendered with, so that a
// visitor sees prices before the app has loaded. Each function is given
// the URL of the page being rendered, whose Host is the address the request
// was sent to. In the browser there is none.
type Source struct {
	// Latest returns the latest price of every symbol.
	Latest func(page *url.URL) []stock.Latest
	// Bars returns a symbol's one-minute bars of the last 24 hours.
	Bars func(page *url.URL, symbol string) []stock.Bar
}

// symbolPath matches the path of a symbol's page, /stocks/AAPL; the
// symbol's own rules are checked by the page.
const symbolPath = `^/stocks/[A-Za-z][A-Za-z0-9.-]{0,11}$`

// Routes registers the app's pages with go-app: the dashboard at "/" and a
// page per symbol at /stocks/SYMBOL. go-app keeps routes in one table per
// process, so it is called once: by the wasm main with no source, and by
// the server, before it serves, with the source of what it prerenders.
func Routes(src Source) {
	app.Route("/", func() app.Composer { return newDashboard(src.Latest) })
	app.RouteWithRegexp(symbolPath, func() app.Composer { return newSymbolPage(src) })
}
