//go:build !(js && wasm)

package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// symbolPath matches the path of a symbol's page, /stocks/AAPL; the
// symbol's own rules are checked by the page.
const symbolPath = `^/stocks/[A-Za-z][A-Za-z0-9.-]{0,11}$`

// routeSymbols routes every symbol's page, by a pattern.
func routeSymbols(src Source) {
	app.RouteWithRegexp(symbolPath, func() app.Composer { return newPage(src) })
}

// routeSymbol does nothing: the server routes every symbol's page.
func routeSymbol(Source, string) {}
