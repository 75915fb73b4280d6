package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The parts of a page that the server renders and the app's first render
// shows as the server rendered them, marked data-part. The app renders
// them itself afterwards, one per task, in startupOrder, so that neither
// its first render nor any task after it holds the main thread long:
// building a part's elements from Go costs far more than the browser
// parsing the same HTML. Nothing changes on screen meanwhile: the app
// renders the same prices, and its first render happens only after the
// server's page was painted.
const (
	partNote   = "note"
	partWatch  = "watchlist"
	partTable  = "table"
	partFeed   = "feed"
	partSymbol = "symbol"
)

// startupOrder is the order the parts are rendered in: the prices first.
var startupOrder = []string{partTable, partSymbol, partFeed, partNote, partWatch}

// nextStartupStep runs the next step of the start in a task of its own:
// the Go program waits for the browser to run what waits (input, paint,
// the stream's events) before it goes on. A timer of the Go program would
// not: Go returns to the browser only when nothing is left to run, and a
// step that took longer than the timer's delay finds it due.
func (p *page) nextStartupStep(ctx app.Context) {
	ctx.Async(func() {
		yieldToBrowser()
		ctx.Dispatch(p.startupStep)
	})
}

// startup is the app's start on the page the server rendered.
type startup struct {
	server     map[string]string // the server's HTML of parts the app has not rendered yet
	pre        string            // the handed-over JSON of the dashboard
	symbol     string            // the handed-over JSON of a symbol's page
	loaded     bool              // the page's data was taken over
	registered bool              // the service worker was registered
}

// adopt takes what the server's page holds before the app's first render
// replaces it: the data handed over, and the HTML of its parts. The parts
// are taken also when the board the last visit saved is newer than the
// server's prices (a page from the service worker's cache): they show
// until the app renders each with the saved board, which costs a task per
// part, where rendering them all in the first render would cost one long
// task.
func (s *startup) adopt(symbol string) {
	s.pre, s.symbol = handedOver(prerenderedID), handedOver(symbolDataID)
	parts := []string{partSymbol}
	if symbol == "" {
		parts = []string{partNote, partWatch, partTable, partFeed}
	}
	doc := app.Window().Get("document")
	for _, name := range parts {
		el := doc.Call("querySelector", `[data-part="`+name+`"]`)
		if !el.Truthy() {
			continue
		}
		if s.server == nil {
			s.server = make(map[string]string)
		}
		s.server[name] = el.Get("outerHTML").String()
	}
}

// next forgets the server's HTML of the next part to render and reports
// whether there was one.
func (s *startup) next() bool {
	for _, name := range startupOrder {
		if _, ok := s.server[name]; ok {
			delete(s.server, name)
			return true
		}
	}
	return false
}

// showsServerPrices reports whether a part with prices still shows the
// server's HTML.
func (s *startup) showsServerPrices() bool {
	for _, name := range []string{partTable, partFeed, partSymbol} {
		if _, ok := s.server[name]; ok {
			return true
		}
	}
	return false
}

// part returns the server's HTML of the part name while the app has not
// rendered it yet, else render().
func (p *page) part(name string, render func() app.UI) app.UI {
	if html, ok := p.start.server[name]; ok {
		return app.Raw(html)
	}
	return render()
}

// startupStep takes over the page's data, renders the next part the server
// rendered and pauses before the next; once every part is the app's, it
// registers the service worker: after the app runs, so that the worker
// precaches app.wasm from the HTTP cache instead of downloading it beside
// the page.
func (p *page) startupStep(ctx app.Context) {
	p.load()
	more := p.start.next()
	p.showStatus()
	if more {
		p.nextStartupStep(ctx)
		return
	}
	if !p.start.registered {
		p.start.registered = true
		if register := app.Window().Get("goappInitServiceWorker"); register.Truthy() {
			register.Invoke()
		}
	}
}

// load takes over, once, what the page starts from: the watchlist, the
// board the last visit saved or the prices the server rendered, whichever
// is newer, and the data of a symbol's page.
func (p *page) load() {
	if p.start.loaded {
		return
	}
	p.start.loaded = true
	p.symbols = loadWatchlist()
	saved, haveSaved := loadBoard()
	if haveSaved {
		p.board.Restore(saved.Quotes, saved.Feed)
		p.asOf = saved.At
	}
	var pre prerendered
	if decode(prerenderedID, p.start.pre, &pre) && (!haveSaved || pre.At.After(saved.At)) {
		p.board.Snapshot(watched(pre.Quotes, p.symbols))
		p.asOf = pre.At
	}
	for _, q := range p.board.Quotes() {
		p.route(q.Symbol)
	}
	if p.symbol != "" {
		p.chart = symbolData{Symbol: p.symbol}
		var sym symbolData
		if decode(symbolDataID, p.start.symbol, &sym) && sym.Symbol == p.symbol {
			p.chart = sym
		}
	}
	p.start.pre, p.start.symbol = "", ""
}
