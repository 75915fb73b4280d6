package ui

import (
	"sync/atomic"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

// frameInterval is how often queued stream events are rendered: one
// ctx.Dispatch per frame whatever the event rate.
const frameInterval = 100 * time.Millisecond

// watchdogEvery is how many frames pass between two watchdog checks.
const watchdogEvery = 10

// saveEvery is how many frames pass between two saves of a changed board
// to localStorage.
const saveEvery = 20

// actionWatch is the action the watchlist sends with the new symbols.
const actionWatch = "watchlist"

// dashboard is the page at "/": it owns the stream client and the board and
// hands both down to the components that render them.
type dashboard struct {
	app.Compo

	board   market.Board
	status  live.Status
	lastID  string
	savedAt time.Time
	symbols []string
	update  bool

	latest  func() []stock.StockPriceEvent // server side: prices to prerender
	client  *live.Client
	stop    chan struct{}
	unsaved atomic.Bool  // the board changed since it was last saved
	calm    atomic.Int64 // unix nanos before which no frame is rendered
}

func newDashboard(latest func() []stock.StockPriceEvent) *dashboard {
	return &dashboard{status: live.StatusConnecting, latest: latest}
}

// OnPreRender runs on the server only: it renders the latest prices into
// the page, stamped with the time and marked not live until the app takes
// over and connects.
func (d *dashboard) OnPreRender(ctx app.Context) {
	if d.latest == nil {
		return
	}
	d.board.Snapshot(d.latest())
	d.savedAt = time.Now()
}

// OnMount restores the last-known prices and the watchlist, then connects.
func (d *dashboard) OnMount(ctx app.Context) {
	d.symbols = loadWatchlist(ctx)
	saved := loadPrices(ctx)
	d.board.Restore(saved.Quotes)
	d.savedAt = saved.At
	d.update = ctx.AppUpdateAvailable()
	ctx.Handle(actionWatch, d.onWatch)

	d.client = live.New(live.Config{})
	d.client.Connect(d.symbols)
	d.stop = make(chan struct{})
	client, stop := d.client, d.stop
	ctx.Async(func() { pump(ctx, client, stop, d) })
}

// OnDismount closes the stream, which releases its browser functions.
func (d *dashboard) OnDismount() {
	if d.stop != nil {
		close(d.stop)
		d.stop = nil
	}
	if d.client != nil {
		d.client.Close()
	}
}

// OnAppUpdate shows the reload banner once a new version is installed.
func (d *dashboard) OnAppUpdate(ctx app.Context) {
	d.update = ctx.AppUpdateAvailable()
}

// pump dispatches one render per frame while the client has news, runs the
// client's watchdog and saves a changed board every few frames, until stop
// is closed. After a costly render it leaves the page alone as long as the
// render took, so that a burst never keeps the main thread busy.
func pump(ctx app.Context, c *live.Client, stop <-chan struct{}, d *dashboard) {
	t := time.NewTicker(frameInterval)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if n%watchdogEvery == 0 {
			c.Check()
		}
		if c.Dirty() && time.Now().UnixNano() >= d.calm.Load() {
			ctx.Dispatch(d.flush)
		}
		if n%saveEvery == 0 && d.unsaved.Load() {
			ctx.Dispatch(d.save)
		}
	}
}

// flush applies everything the stream delivered since the last frame.
func (d *dashboard) flush(ctx app.Context) {
	start := time.Now()
	ctx.Defer(func(app.Context) {
		now := time.Now()
		d.calm.Store(now.Add(now.Sub(start)).UnixNano())
	})
	items, dropped := d.client.Drain()
	if dropped > 0 {
		// The queue overflowed: start over from a snapshot rather than
		// show a board with holes.
		d.client.Connect(d.symbols)
	}
	snap := false
	for _, it := range items {
		if it.IsSnap {
			d.board.Snapshot(it.Snapshot)
			snap = true
			continue
		}
		d.board.Apply(it.Event)
	}
	d.status, d.lastID = d.client.Status()
	if snap {
		d.save(ctx)
	} else if len(items) > 0 {
		d.unsaved.Store(true)
	}
}

// save writes the board to localStorage for the next visit.
func (d *dashboard) save(ctx app.Context) {
	d.unsaved.Store(false)
	d.savedAt = time.Now()
	savePrices(ctx, &d.board, d.savedAt)
}

// onWatch switches the stream to the symbols the watchlist sent.
func (d *dashboard) onWatch(ctx app.Context, a app.Action) {
	symbols, _ := a.Value.([]string)
	d.symbols = symbols
	saveWatchlist(ctx, symbols)
	d.board = market.Board{}
	d.status = live.StatusConnecting
	if d.client != nil {
		d.client.Connect(symbols)
	}
}

// stale reports whether the prices shown may be out of date.
func (d *dashboard) stale() bool {
	return d.board.Len() > 0 && (d.board.Stale || d.status != live.StatusLive)
}

// Render draws the page.
func (d *dashboard) Render() app.UI {
	stale := d.stale()
	return app.Div().Class("app").Body(
		app.Header().Class("top").Body(
			app.Div().Class("brand").Body(
				app.Img().Class("logo").Src("/web/icon.svg").Alt(""),
				app.H1().Text("StockStream"),
			),
			&badge{Status: string(d.status), LastID: d.lastID},
		),
		app.If(d.update, func() app.UI { return &updateBanner{} }),
		&watchlist{Symbols: d.symbols, Ready: d.client != nil},
		app.If(stale, func() app.UI { return &staleNote{SavedAt: d.savedAt} }),
		app.Main().Class("panels").Body(
			&quoteTable{Quotes: d.board.Quotes(), Stale: stale},
			&feedList{Events: d.board.Feed()},
		),
	)
}
