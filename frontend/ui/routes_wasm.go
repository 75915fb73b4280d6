//go:build js && wasm

package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// routeSymbols routes the page of the symbol the browser opened. The
// browser routes symbols' pages by their exact paths, each when the app
// can link to it (page.route): go-app's pattern routes would bring the
// regexp package and the Unicode tables it needs into app.wasm, 25 KB
// brotli-compressed and their initialisation at every start.
func routeSymbols(src Source) {
	routeSymbol(src, symbolOf(app.Window().Get("location").Get("pathname").String()))
}

// routeSymbol routes the page of symbol.
func routeSymbol(src Source, symbol string) {
	if symbol != "" {
		app.Route(symbolPrefix+symbol, func() app.Composer { return newPage(src) })
	}
}
