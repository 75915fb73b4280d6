package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/message"
	"github.com/stockstream/stockstream/shared/stock"
)

// saveDelay is how long after a change the board is saved to localStorage:
// a busy stream costs one save per saveDelay, not one per frame.
const saveDelay = 2 * time.Second

// actionWatch is the action the watchlist sends with the new symbols.
const actionWatch = "watchlist"

// dashboardTitle is the dashboard's title; a symbol's page has its own.
const dashboardTitle = "StockStream — live prices"

// symbolTitle is the title of a symbol's page.
func symbolTitle(symbol string) string { return symbol + " — StockStream" }

// page is the app: the dashboard at "/" and a symbol's page at
// /stocks/SYMBOL are two views of it. It owns the board, the symbol's
// chart and the app's one stream, and hands them down to the components
// that render them; moving between the views changes what it renders, not
// what it holds.
//
// The stream's callbacks never touch the page: the stream client queues
// what arrives and asks for an animation frame, whose callback dispatches
// flush to the UI goroutine. Everything below is read and written there
// only.
type page struct {
	app.Compo

	symbol      string // the symbol whose page is shown; "" on the dashboard
	board       market.Board
	chart       symbolData // the symbol's page
	status      live.Status
	lastID      string
	asOf        time.Time // when the board's prices were last known current
	symbols     []string  // the watchlist; empty: every symbol
	sess        sessionState
	update      bool
	installable bool

	src       Source
	prerender prerendered // server side: the dashboard's handed-over prices

	stream     *live.Client // browser side, from src.Stream
	start      startup
	navigated  bool // the first page was navigated to
	frames     *frames
	saving     bool            // a save is scheduled
	backfilled map[string]bool // symbols whose bars were asked for
	routed     map[string]bool // symbols whose page is routed

	unwatchCache func() // removes the back/forward cache's listeners
}

func newPage(src Source) *page {
	return &page{src: src, stream: src.Stream, status: live.StatusConnecting}
}

// OnPreRender runs on the server only: it renders the latest prices into
// the dashboard, stamped with the time, or the symbol's price and bars
// into its page, and hands them over to the app.
func (p *page) OnPreRender(ctx app.Context) {
	url := ctx.Page().URL()
	if p.symbol = symbolOf(url.Path); p.symbol != "" {
		ctx.Page().SetTitle(symbolTitle(p.symbol))
		p.prerenderSymbol(url)
		return
	}
	if p.src.Latest == nil {
		return
	}
	latest := p.src.Latest(url)
	p.board.Snapshot(latest)
	p.asOf = time.Now()
	p.prerender = prerendered{At: p.asOf, Quotes: latest}
}

// OnInit runs before the first render. In the browser it only takes what
// the server's page holds: the first render shows its parts as they are,
// and the app renders them itself one task at a time (see startup), so
// that the first render costs a frame.
func (p *page) OnInit() {
	if !app.IsClient || p.stream == nil {
		return
	}
	p.symbol = symbolOf(app.Window().Get("location").Get("pathname").String())
	p.status, p.lastID = p.stream.Status()
	p.start.adopt(p.symbol)
}

// OnMount takes the stream's news and starts rendering the parts the
// server rendered, one per task.
func (p *page) OnMount(ctx app.Context) {
	if p.stream == nil {
		return
	}
	p.update = ctx.AppUpdateAvailable()
	p.installable = ctx.IsAppInstallable()
	ctx.Handle(actionWatch, p.onWatch)
	p.frames = newFrames(func() { ctx.Dispatch(p.flush) })
	p.stream.SetNotify(p.frames.Request)
	p.watchSession(ctx)
	p.nextStartupStep(ctx)
}

// OnNav follows the app's navigation between the dashboard and symbols'
// pages after the first page, whose data the server handed over. The
// stream stays open; it is widened to the symbol of a page when the
// watchlist leaves it out, and opened again on the new page's symbols
// when the server refused a symbol of the last one.
func (p *page) OnNav(ctx app.Context) {
	if !app.IsClient || p.stream == nil {
		return
	}
	if !p.navigated {
		p.navigated = true
		return
	}
	sym := symbolOf(ctx.Page().URL().Path)
	scoped := p.sess.refusal != nil && p.sess.refusal.Kind == refusalScope
	if sym == "" {
		p.symbol, p.chart = "", symbolData{}
		ctx.Page().SetTitle(dashboardTitle)
		if scoped {
			p.connect()
		}
		return
	}
	ctx.Page().SetTitle(symbolTitle(sym))
	if sym == p.symbol {
		return
	}
	p.symbol = sym
	p.showSymbol(ctx)
	if !p.refuseScope() && (scoped || !covers(p.stream.Symbols(), sym)) {
		p.connect()
	}
}

// OnDismount closes the stream and releases the browser functions.
func (p *page) OnDismount() {
	if p.stream != nil {
		p.stream.Close()
	}
	if p.frames != nil {
		p.frames.Close()
	}
	if p.unwatchCache != nil {
		p.unwatchCache()
	}
}

// OnAppUpdate shows the reload banner once a new version is installed.
func (p *page) OnAppUpdate(ctx app.Context) {
	p.update = ctx.AppUpdateAvailable()
}

// OnAppInstallChange shows the install button while the browser reports
// the app installable.
func (p *page) OnAppInstallChange(ctx app.Context) {
	p.installable = ctx.IsAppInstallable()
}

// flush applies everything the stream delivered since the last frame and
// renders the next part the server rendered, if any is left. Once the page
// is rendered, the next flush waits as long as this one took with its
// render, so that a busy stream never keeps the main thread busy.
func (p *page) flush(ctx app.Context) {
	start := time.Now()
	ctx.Defer(func(app.Context) { p.frames.Rest(time.Since(start)) })
	p.load()
	items, dropped := p.stream.Drain()
	if dropped > 0 {
		// The queue overflowed: start over from a snapshot rather than
		// show a board with holes.
		p.stream.Connect(p.stream.Symbols())
	}
	if p.apply(items) {
		p.backfill(ctx)
	}
	p.stream.Conflate(conflationFor(p.board.Len()))
	p.showStatus()
	if len(items) > 0 {
		p.asOf = start
		p.scheduleSave(ctx)
	}
}

// showStatus takes the stream's state for the badge. It says live only
// once the prices shown are the app's, not the server's.
func (p *page) showStatus() {
	p.status, p.lastID = p.stream.Status()
	if p.status == live.StatusLive && p.start.showsServerPrices() {
		p.status = live.StatusConnecting
	}
}

// apply hands the messages to the board and the symbol's chart in stream
// order, consecutive updates in one call. It reports whether a snapshot was
// among them.
func (p *page) apply(items []message.Message) (snapshot bool) {
	var run []stock.StockPriceEvent
	for _, m := range items {
		if m.Kind == message.Update {
			run = append(run, m.Event)
			continue
		}
		p.applyUpdates(run)
		run = run[:0]
		p.board.Snapshot(watched(m.Snapshot, p.symbols))
		p.chart = p.chart.snapshot(m.Snapshot)
		for _, l := range m.Snapshot {
			p.route(l.Symbol)
		}
		snapshot = true
	}
	p.applyUpdates(run)
	return snapshot
}

// applyUpdates moves the board with the updates of watched symbols and the
// chart with those of its symbol.
func (p *page) applyUpdates(events []stock.StockPriceEvent) {
	if len(events) == 0 {
		return
	}
	p.chart = p.chart.apply(events)
	for _, e := range events {
		p.route(e.Symbol)
	}
	if len(p.symbols) > 0 {
		events = watchedEvents(events, p.symbols)
	}
	p.board.Apply(events...)
}

// route routes the page of a symbol the board may link to. The server
// routes every symbol's page by a pattern; the browser routes each by its
// path (routes_wasm.go).
func (p *page) route(symbol string) {
	if p.routed[symbol] {
		return
	}
	if p.routed == nil {
		p.routed = make(map[string]bool)
	}
	p.routed[symbol] = true
	routeSymbol(p.src, symbol)
}

func (p *page) scheduleSave(ctx app.Context) {
	if !p.saving {
		p.saving = true
		ctx.After(saveDelay, p.save)
	}
}

// save writes the board to localStorage; nothing on the page changes.
func (p *page) save(ctx app.Context) {
	ctx.PreventUpdate()
	p.saving = false
	saveBoard(&p.board, p.asOf)
}

// Render draws the view of the current path.
func (p *page) Render() app.UI {
	if p.symbol != "" {
		return p.symbolView()
	}
	return p.dashboard()
}

// header is the top of both views: the brand, the install button while the
// app is installable, the delay of delayed prices and the connection
// badge.
func (p *page) header(brand app.UI) app.UI {
	delay := p.sess.info.delay()
	return app.Header().Class("top").Body(
		brand,
		app.If(p.installable, func() app.UI { return &installButton{} }),
		app.If(delay > 0 && p.sess.refusal == nil, func() app.UI { return delayTag(delay) }),
		&badge{Status: p.status, LastID: p.lastID, Stopped: p.sess.refusal != nil},
	)
}

// access is the sign-in under the header of both views.
func (p *page) access() app.UI {
	return &accessBar{Session: p.sess.info, Refusal: p.sess.refusal, Ready: p.stream != nil}
}
