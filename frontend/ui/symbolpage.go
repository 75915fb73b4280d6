package ui

import (
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

// symbolDataID is the id of the element that hands a symbol page's
// server-rendered data over to the app.
const symbolDataID = "symbol-data"

// symbolData is what a symbol's page shows: its latest price with the
// session open, the one-minute bars of the last hour and the session's
// high and low.
type symbolData struct {
	Symbol string       `json:"symbol"`
	Latest stock.Latest `json:"latest"` // zero when the symbol has no price
	Bars   []stock.Bar  `json:"bars"`
	Day    market.Day   `json:"day"`
}

// known reports whether the symbol has a price.
func (s symbolData) known() bool { return !s.Latest.Price.IsZero() }

// apply moves the page's data with live events of its symbol, in stream
// order, into new slices.
func (s symbolData) apply(events []stock.StockPriceEvent) symbolData {
	for _, e := range events {
		if e.Symbol != s.Symbol || (s.known() && !stock.NewerID(e.ID, s.Latest.ID)) {
			continue
		}
		s.Day = s.Day.Move(e)
		s.Latest = stock.Latest{StockPriceEvent: e, Open: s.Day.Open}
		s.Bars = market.Fold(s.Bars, e)
	}
	return s
}

// symbolPage is the page of one symbol at /stocks/SYMBOL: its price, the
// session's open, high and low, and a chart of the last hour that follows
// the stream. The server renders it with the symbol's bars; the app takes
// them over, or asks for them when it navigated here itself.
type symbolPage struct {
	app.Compo

	data   symbolData
	status live.Status
	lastID string

	src    Source
	client *live.Client
	frames *frames
}

func newSymbolPage(src Source) *symbolPage {
	return &symbolPage{src: src, status: live.StatusConnecting}
}

// symbolOf returns the symbol a page's path names, upper-cased, or "" if
// the path names none.
func symbolOf(path string) string {
	sym, err := stock.ParseSymbol(strings.TrimPrefix(path, "/stocks/"))
	if err != nil {
		return ""
	}
	return sym
}

// OnPreRender runs on the server only: it renders the symbol's latest
// price and bars into the page.
func (p *symbolPage) OnPreRender(ctx app.Context) {
	page := ctx.Page().URL()
	p.data = symbolData{Symbol: symbolOf(page.Path)}
	if p.data.Symbol == "" || p.src.Latest == nil || p.src.Bars == nil {
		return
	}
	for _, l := range p.src.Latest(page) {
		if l.Symbol == p.data.Symbol {
			p.data.Latest = l
		}
	}
	bars := p.src.Bars(page, p.data.Symbol)
	p.data.Day = market.DayOf(p.data.Latest, bars)
	p.data.Bars = market.Recent(bars)
}

// OnInit runs before the first render. In the browser it takes over the
// data the server rendered the page with, so that the app's first render
// shows the same chart.
func (p *symbolPage) OnInit() {
	var pre symbolData
	if app.IsClient && takeOver(symbolDataID, &pre) && pre.Symbol == symbolOf(app.Window().URL().Path) {
		p.data = pre
	}
}

// OnNav follows the symbol's stream. A page the app navigated to by itself
// has no data from the server: it is loaded from the server instead, as a
// link without the app would be, unless the browser is offline.
func (p *symbolPage) OnNav(ctx app.Context) {
	if !app.IsClient {
		return
	}
	sym := symbolOf(ctx.Page().URL().Path)
	if sym == p.data.Symbol && p.client != nil {
		return
	}
	p.close()
	if sym != p.data.Symbol {
		p.data = symbolData{Symbol: sym}
		if sym != "" && app.Window().Get("navigator").Get("onLine").Bool() {
			app.Window().Get("location").Call("replace", ctx.Page().URL().String())
			return
		}
	}
	ctx.Page().SetTitle(sym + " — StockStream")
	if sym == "" {
		return
	}
	p.frames = newFrames(func() { ctx.Dispatch(p.flush) })
	p.client = live.New(live.Config{Notify: p.frames.Request})
	p.client.Connect([]string{sym})
}

// flush applies what the stream delivered since the last frame.
func (p *symbolPage) flush(ctx app.Context) {
	items, dropped := p.client.Drain()
	if dropped > 0 {
		p.client.Connect([]string{p.data.Symbol})
	}
	var run []stock.StockPriceEvent
	for _, it := range items {
		if !it.IsSnap {
			run = append(run, it.Event)
			continue
		}
		p.data = p.data.apply(run)
		run = run[:0]
		p.snapshot(it.Snapshot)
	}
	p.data = p.data.apply(run)
	p.status, p.lastID = p.client.Status()
}

// snapshot takes the symbol's latest price and session open from a
// snapshot; a price newer than the chart's last bar extends it.
func (p *symbolPage) snapshot(latest []stock.Latest) {
	for _, l := range latest {
		if l.Symbol != p.data.Symbol || (p.data.known() && !stock.NewerID(l.ID, p.data.Latest.ID)) {
			continue
		}
		p.data.Day = market.DayOf(l, nil).Merge(p.data.Day)
		p.data.Latest = l
		p.data.Bars = market.Fold(p.data.Bars, l.StockPriceEvent)
	}
}

// OnDismount closes the stream.
func (p *symbolPage) OnDismount() { p.close() }

func (p *symbolPage) close() {
	if p.client != nil {
		p.client.Close()
		p.client = nil
	}
	if p.frames != nil {
		p.frames.Close()
		p.frames = nil
	}
}

// Render draws the page.
func (p *symbolPage) Render() app.UI {
	d := p.data
	return app.Div().Class("app", "symbol-page").Body(
		app.Header().Class("top").Body(
			app.Elem("a").Class("brand").Attr("href", "/").Body(
				app.Img().Class("logo").Src("/web/icon.svg").Attr("role", "presentation").Width(32).Height(32),
				app.Span().Class("brand-name").Text("StockStream"),
			),
			&badge{Status: p.status, LastID: p.lastID},
		),
		app.Main().Class("content").Body(
			app.Elem("nav").Aria("label", "Breadcrumb").Body(
				app.Elem("a").Class("back").Attr("href", "/").Text("← All symbols"),
			),
			app.If(d.Symbol == "", func() app.UI {
				return app.H1().Text("No such symbol")
			}).Else(func() app.UI { return p.body() }),
		),
		app.If(app.IsServer && d.Symbol != "", func() app.UI { return handOver(symbolDataID, d) }),
	)
}

// body is the page of a valid symbol.
func (p *symbolPage) body() app.UI {
	d := p.data
	change := d.Latest.Price.Micros() - d.Day.Open.Micros()
	return app.Div().Class("symbol").DataSet("symbol", d.Symbol).Body(
		app.Div().Class("symbol-head").Body(
			app.H1().Class("symbol-name").Text(d.Symbol),
			app.If(d.known(), func() app.UI {
				return app.P().Class("symbol-quote", trendClass(change)).Body(
					app.Span().Class("price").DataSet("price", d.Latest.Price.String()).Text(market.FormatPrice(d.Latest.Price)),
					app.Span().Class("chg").Text(market.FormatChange(change)),
					app.Span().Class("pct").Text(market.FormatPercent(market.ChangePercent(d.Day.Open, d.Latest.Price))),
					app.Time().Class("as-of").DateTime(d.Latest.Timestamp.Format(time.RFC3339)).
						Text("at "+market.FormatTime(d.Latest.Timestamp)),
				)
			}).Else(func() app.UI {
				return app.P().Class("empty").Text("No prices for " + d.Symbol + " yet; they show here as they arrive.")
			}),
		),
		app.If(d.known(), func() app.UI {
			return app.Elem("dl").Class("day").Aria("label", "Today's session").Body(
				app.Div().Body(app.Elem("dt").Text("Open"), app.Elem("dd").DataSet("day", "open").Text(market.FormatPrice(d.Day.Open))),
				app.Div().Body(app.Elem("dt").Text("High"), app.Elem("dd").DataSet("day", "high").Text(market.FormatPrice(d.Day.High))),
				app.Div().Body(app.Elem("dt").Text("Low"), app.Elem("dd").DataSet("day", "low").Text(market.FormatPrice(d.Day.Low))),
			)
		}),
		&priceChart{Symbol: d.Symbol, Bars: d.Bars},
	)
}
