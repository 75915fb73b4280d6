//go:build js && wasm

package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/shared/stock"
)

// routeSymbols routes the page of the symbol the browser opened and of
// every symbol the server rendered a row of, whose links work from the
// first render. The browser routes symbols' pages by their exact paths,
// each when the app can link to it (page.route): app.wasm carries no
// pattern routes (frontend/cmd/wasmbuild/PATCH.md).
func routeSymbols(src Source) {
	routeSymbol(src, symbolOf(app.Window().Get("location").Get("pathname").String()))
	rows := app.Window().Get("document").Call("querySelectorAll", "[data-symbol]")
	for i := range rows.Get("length").Int() {
		if sym, err := stock.ParseSymbol(rows.Call("item", i).Get("dataset").Get("symbol").String()); err == nil {
			routeSymbol(src, sym)
		}
	}
}

// routeSymbol routes the page of symbol.
func routeSymbol(src Source, symbol string) {
	if symbol != "" {
		app.Route(symbolPrefix+symbol, func() app.Composer { return newPage(src) })
	}
}
