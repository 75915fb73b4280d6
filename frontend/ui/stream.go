package ui

import (
	"slices"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
)

// The dashboard asks the server to conflate the stream when it shows more
// than manySymbols symbols: at most one event per symbol per
// conflateWindow, always the latest, which is all a person can read.
const (
	manySymbols    = 20
	conflateWindow = 250 * time.Millisecond
)

// conflationFor returns the conflation window for a board of n symbols.
func conflationFor(n int) time.Duration {
	if n > manySymbols {
		return conflateWindow
	}
	return 0
}

// OpenStream opens the app's one subscription to the price stream. The wasm
// main calls it first, before the page mounts, so that the stream's
// snapshot is on its way while the page starts. It streams the watched
// symbols (all when none are watched) and, on a symbol's page, that symbol
// too; conflated when the page the server rendered shows more than
// manySymbols rows.
func OpenStream() *live.Client {
	watch := loadWatchlist()
	rows := app.Window().Get("document").Call("querySelectorAll", "[data-symbol]").Get("length").Int()
	if len(watch) > 0 {
		rows = min(rows, len(watch))
	}
	c := live.New(live.Config{})
	c.Conflate(conflationFor(rows))
	c.Connect(streamSymbols(watch, symbolOf(app.Window().Get("location").Get("pathname").String())))
	return c
}

// streamSymbols returns the filter of the stream for a watchlist and the
// symbol of the page shown ("" on the dashboard): nil (every symbol) when
// nothing is watched, else the watchlist with the page's symbol.
func streamSymbols(watch []string, symbol string) []string {
	if len(watch) == 0 || symbol == "" || slices.Contains(watch, symbol) {
		return watch
	}
	return append(slices.Clone(watch), symbol)
}

// covers reports whether a stream filtered on symbols (all when empty)
// carries symbol.
func covers(symbols []string, symbol string) bool {
	return len(symbols) == 0 || slices.Contains(symbols, symbol)
}

// InPage reports whether the program runs in a page. The loader runs it
// once in a worker first, where it has no document, so that V8 compiles
// what its start calls (backend/pwa's compiler); the wasm main returns
// there right after the runtime and package initialisation.
func InPage() bool {
	return app.IsClient && app.Window().Get("document").Truthy()
}

// AwaitRehearsal returns once the loader's compiler has run Rehearse, or
// given up, so that what the page's mount calls is compiled by then; the
// browser runs meanwhile. Without a compiler it yields to the browser once.
func AwaitRehearsal() {
	rehearsed := app.Window().Get("goappRehearsed")
	if !app.IsClient || !rehearsed.Truthy() {
		yieldToBrowser()
		return
	}
	done := make(chan struct{})
	f := app.FuncOf(func(app.Value, []app.Value) any {
		close(done)
		return nil
	})
	rehearsed.Call("then", f)
	<-done
	f.Release()
}

// yieldToBrowser returns once the browser has run the tasks waiting for
// the main thread: code that runs long in one go cuts itself in tasks with
// it, so that input and paint are not held up.
func yieldToBrowser() {
	if !app.IsClient {
		return
	}
	done := make(chan struct{})
	f := app.FuncOf(func(app.Value, []app.Value) any {
		close(done)
		return nil
	})
	app.Window().Call("setTimeout", f)
	<-done
	f.Release()
}
