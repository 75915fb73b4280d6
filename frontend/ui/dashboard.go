package ui

import (
	"net/url"
	"slices"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

// saveDelay is how long after a change the board is saved to localStorage:
// a busy stream costs one save per saveDelay, not one per frame.
const saveDelay = 2 * time.Second

// actionWatch is the action the watchlist sends with the new symbols.
const actionWatch = "watchlist"

// dashboard is the page at "/": it owns the stream client and the board and
// hands both down to the components that render them.
//
// The stream's callbacks never touch the dashboard: the client queues what
// arrives and asks for an animation frame, whose callback dispatches flush
// to the UI goroutine. Everything below is read and written there only.
type dashboard struct {
	app.Compo

	board       market.Board
	status      live.Status
	lastID      string
	asOf        time.Time // when the prices shown were last known current
	symbols     []string
	update      bool
	installable bool

	prices    func(*url.URL) []stock.Latest // server side: the prices to prerender
	prerender prerendered                   // server side: what the page was rendered with

	client     *live.Client
	frames     *frames
	saving     bool            // a save is scheduled
	backfilled map[string]bool // symbols whose bars were asked for
}

func newDashboard(prices func(*url.URL) []stock.Latest) *dashboard {
	return &dashboard{status: live.StatusConnecting, prices: prices}
}

// OnPreRender runs on the server only: it renders the latest prices into
// the page, stamped with the time, and hands them over to the app.
func (d *dashboard) OnPreRender(ctx app.Context) {
	if d.prices == nil {
		return
	}
	latest := d.prices(ctx.Page().URL())
	d.board.Snapshot(latest)
	d.asOf = time.Now()
	d.prerender = prerendered{At: d.asOf, Quotes: latest}
}

// OnInit runs before the first render. In the browser it takes over what
// the page showed: the prices the server rendered into it or, when they
// are older (a page from the service worker's cache), the board saved by
// the last visit. The app's first render then shows the same prices.
func (d *dashboard) OnInit() {
	if !app.IsClient {
		return
	}
	d.symbols = loadWatchlist()
	saved, haveSaved := loadBoard()
	var pre prerendered
	havePre := takeOver(prerenderedID, &pre)
	if haveSaved {
		d.board.Restore(saved.Quotes, saved.Feed)
		d.asOf = saved.At
	}
	if havePre && (!haveSaved || pre.At.After(saved.At)) {
		d.board.Snapshot(watched(pre.Quotes, d.symbols))
		d.asOf = pre.At
	}
}

// watched returns the prices of the watched symbols; all when none are.
func watched(latest []stock.Latest, symbols []string) []stock.Latest {
	if len(symbols) == 0 {
		return latest
	}
	var out []stock.Latest
	for _, l := range latest {
		if slices.Contains(symbols, l.Symbol) {
			out = append(out, l)
		}
	}
	return out
}

// OnMount connects to the stream.
func (d *dashboard) OnMount(ctx app.Context) {
	d.update = ctx.AppUpdateAvailable()
	d.installable = ctx.IsAppInstallable()
	ctx.Handle(actionWatch, d.onWatch)
	d.frames = newFrames(func() { ctx.Dispatch(d.flush) })
	d.client = live.New(live.Config{Notify: d.frames.Request})
	d.client.Conflate(d.conflation())
	d.client.Connect(d.symbols)
}

// OnDismount closes the stream and releases the browser functions.
func (d *dashboard) OnDismount() {
	if d.client != nil {
		d.client.Close()
	}
	if d.frames != nil {
		d.frames.Close()
	}
}

// OnAppUpdate shows the reload banner once a new version is installed.
func (d *dashboard) OnAppUpdate(ctx app.Context) {
	d.update = ctx.AppUpdateAvailable()
}

// OnAppInstallChange shows the install button while the browser reports
// the app installable.
func (d *dashboard) OnAppInstallChange(ctx app.Context) {
	d.installable = ctx.IsAppInstallable()
}

// flush applies everything the stream delivered since the last frame.
// Once the page is rendered, the next flush waits as long as this one took
// with its render, so that a busy stream never keeps the main thread busy.
func (d *dashboard) flush(ctx app.Context) {
	start := time.Now()
	ctx.Defer(func(app.Context) { d.frames.Rest(time.Since(start)) })
	items, dropped := d.client.Drain()
	if dropped > 0 {
		// The queue overflowed: start over from a snapshot rather than
		// show a board with holes.
		d.client.Connect(d.symbols)
	}
	if d.apply(items) {
		d.backfill(ctx)
	}
	d.client.Conflate(d.conflation())
	d.status, d.lastID = d.client.Status()
	if len(items) > 0 {
		d.asOf = start
		d.scheduleSave(ctx)
	}
}

// apply hands the items to the board in stream order, consecutive updates
// in one call. It reports whether a snapshot was among them.
func (d *dashboard) apply(items []live.Item) (snapshot bool) {
	var run []stock.StockPriceEvent
	for _, it := range items {
		if !it.IsSnap {
			run = append(run, it.Event)
			continue
		}
		d.board.Apply(run...)
		run = run[:0]
		d.board.Snapshot(it.Snapshot)
		snapshot = true
	}
	d.board.Apply(run...)
	return snapshot
}

func (d *dashboard) scheduleSave(ctx app.Context) {
	if !d.saving {
		d.saving = true
		ctx.After(saveDelay, d.save)
	}
}

// save writes the board to localStorage; nothing on the page changes.
func (d *dashboard) save(ctx app.Context) {
	ctx.PreventUpdate()
	d.saving = false
	saveBoard(&d.board, d.asOf)
}

// onWatch switches the stream to the symbols the watchlist sent. The rows
// of symbols no longer watched leave at once; the others stay until the
// new stream's snapshot replaces them.
func (d *dashboard) onWatch(ctx app.Context, a app.Action) {
	symbols, _ := a.Value.([]string)
	d.symbols = symbols
	saveWatchlist(symbols)
	if len(symbols) > 0 {
		d.board.Retain(symbols)
	}
	if d.client != nil {
		d.client.Connect(symbols)
	}
}

// Render draws the page.
func (d *dashboard) Render() app.UI {
	stale := d.status == live.StatusOffline
	return app.Div().Class("app").Body(
		app.Header().Class("top").Body(
			app.Div().Class("brand").Body(
				app.Img().Class("logo").Src("/web/icon.svg").Attr("role", "presentation").
					Width(32).Height(32),
				app.H1().Text("StockStream"),
			),
			app.If(d.installable, func() app.UI { return &installButton{} }),
			&badge{Status: d.status, LastID: d.lastID},
		),
		app.Main().Class("content").Body(
			app.If(d.update, func() app.UI { return &updateBanner{} }),
			&statusNote{Status: d.status, AsOf: d.asOf, Empty: d.board.Len() == 0},
			&watchlist{Symbols: d.symbols, Ready: d.client != nil},
			app.Div().Class("panels").Body(
				&quoteTable{Quotes: d.board.Quotes(), Stale: stale},
				&feedList{Events: d.board.Feed(), Stale: stale},
			),
		),
		app.If(app.IsServer && d.prices != nil, func() app.UI { return handOver(prerenderedID, d.prerender) }),
	)
}
