package ui

import (
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/fetch"
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
	if s.Symbol == "" {
		return s
	}
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

// snapshot takes the symbol's latest price and session open from a
// snapshot; a price newer than the chart's last bar extends it.
func (s symbolData) snapshot(latest []stock.Latest) symbolData {
	if s.Symbol == "" {
		return s
	}
	for _, l := range latest {
		if l.Symbol != s.Symbol || (s.known() && !stock.NewerID(l.ID, s.Latest.ID)) {
			continue
		}
		s.Day = market.DayOf(l, nil).Merge(s.Day)
		s.Latest = l
		s.Bars = market.Fold(s.Bars, l.StockPriceEvent)
	}
	return s
}

// withBars returns the page's data with the bars the app asked for: the
// last hour's one-minute bars for the chart, the day's hourly bars for the
// session's high and low. The latest price is folded in again, in case
// the bars were counted before it.
func (s symbolData) withBars(minutes, hours []stock.Bar) symbolData {
	s.Bars = market.Recent(minutes)
	if s.known() {
		s.Day = market.DayOf(s.Latest, hours).Merge(s.Day)
		s.Bars = market.Fold(s.Bars, s.Latest.StockPriceEvent)
	}
	return s
}

// prerenderSymbol runs on the server: it renders the symbol's latest price
// and bars into its page.
func (p *page) prerenderSymbol(page *url.URL) {
	p.chart = symbolData{Symbol: p.symbol}
	if p.src.Latest == nil || p.src.Bars == nil {
		return
	}
	for _, l := range p.src.Latest(page) {
		if l.Symbol == p.symbol {
			p.chart.Latest = l
		}
	}
	bars := p.src.Bars(page, p.symbol)
	p.chart.Day = market.DayOf(p.chart.Latest, bars)
	p.chart.Bars = market.Recent(bars)
}

// showSymbol starts the page of p.symbol, which the app navigated to by
// itself: the latest price the board holds at once, the bars when the
// server answers. The page stays as it is if they never come (offline).
func (p *page) showSymbol(ctx app.Context) {
	sym := p.symbol
	p.chart = symbolData{Symbol: sym}
	if q, ok := p.board.Quote(sym); ok {
		l := stock.Latest{StockPriceEvent: stock.StockPriceEvent{ID: q.ID, Symbol: sym, Price: q.Price, Timestamp: q.Timestamp}, Open: q.Open}
		p.chart = p.chart.snapshot([]stock.Latest{l})
	}
	var minutes, hours []stock.Bar
	pending := 2
	done := func() {
		if pending--; pending == 0 && p.chart.Symbol == sym {
			p.chart = p.chart.withBars(minutes, hours)
		}
	}
	getBars(ctx, sym, "1m", int(market.ChartSpan/market.BarInterval), &minutes, done)
	getBars(ctx, sym, "1h", 24, &hours, done)
}

// getBars asks for a symbol's last bars and, on the UI goroutine, stores
// them in into and calls done, whatever the answer.
func getBars(ctx app.Context, sym, interval string, limit int, into *[]stock.Bar, done func()) {
	url := "/api/stocks/" + sym + "/bars?interval=" + interval + "&limit=" + strconv.Itoa(limit)
	fetch.Get(url, func(r fetch.Response) {
		var bars []stock.Bar
		if !r.OK() || json.Unmarshal([]byte(r.Body), &bars) != nil {
			bars = nil
		}
		ctx.Dispatch(func(app.Context) {
			*into = bars
			done()
		})
	})
}

// symbolView draws a symbol's page.
func (p *page) symbolView() app.UI {
	return app.Div().Class("app", "symbol-page").Body(
		p.header(app.Elem("a").Class("brand").Attr("href", "/").Body(
			app.Img().Class("logo").Src("/web/icon.svg").Attr("role", "presentation").Width(32).Height(32),
			app.Span().Class("brand-name").Text("StockStream"),
		)),
		p.access(),
		app.Main().Class("content").Body(
			app.Elem("nav").Aria("label", "Breadcrumb").Body(
				app.Elem("a").Class("back").Attr("href", "/").Text("← All symbols"),
			),
			p.part(partSymbol, func() app.UI { return symbolBody(p.chart) }),
		),
		app.If(app.IsServer, func() app.UI { return handOver(symbolDataID, p.chart) }),
	)
}

// symbolBody is the page of a valid symbol.
func symbolBody(d symbolData) app.UI {
	change := d.Latest.Price.Micros() - d.Day.Open.Micros()
	return app.Div().Class("symbol").DataSet("symbol", d.Symbol).DataSet("part", partSymbol).Body(
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
