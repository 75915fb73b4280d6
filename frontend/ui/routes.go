package ui

import (
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
	"github.com/stockstream/stockstream/shared/stock"
)

// Source is the data the pages are rendered with. On the server, Latest
// and Bars give the prices to render, so that a visitor sees them before
// the app has loaded; each function is given the URL of the page being
// rendered, whose Host is the address the request was sent to. In the
// browser, Stream is the app's one subscription to the price stream,
// opened before the first page mounts (OpenStream).
type Source struct {
	// Latest returns the latest price of every symbol.
	Latest func(page *url.URL) []stock.Latest
	// Bars returns a symbol's one-minute bars of the last 24 hours.
	Bars func(page *url.URL, symbol string) []stock.Bar
	// Stream is the browser's subscription; nil on the server.
	Stream *live.Client
}

// symbolPrefix starts the path of every symbol's page.
const symbolPrefix = "/stocks/"

// Routes registers the app's pages with go-app: the dashboard at "/" and a
// page per symbol at /stocks/SYMBOL. Both are the same component, so that
// moving between them in the browser updates the page in place: the
// stream, the board and the app stay. go-app keeps routes in one table per
// process, so it is called once: by the wasm main with the stream, and by
// the server, before it serves, with the source of what it prerenders.
func Routes(src Source) {
	app.Route("/", func() app.Composer { return newPage(src) })
	routeSymbols(src)
}

// symbolOf returns the symbol a page's path names, upper-cased, or "" if
// the path names none.
func symbolOf(path string) string {
	rest, ok := strings.CutPrefix(path, symbolPrefix)
	if !ok {
		return ""
	}
	sym, err := stock.ParseSymbol(rest)
	if err != nil {
		return ""
	}
	return sym
}
