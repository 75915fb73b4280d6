package ui

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
	"github.com/stockstream/stockstream/frontend/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// Rehearse runs, on made-up prices, the part of the page's start that
// needs no browser: the stream client decoding a snapshot and an update,
// the prices the server hands over decoded and taken into the board, the
// dashboard's and a symbol's page rendered into go-app's element trees
// (encoded as HTML, which walks them the way mounting does), and the board
// encoded and decoded the way it is saved; and what go-app's engine does
// around them: parsing the page's URL, comparing a component's fields
// (reflect.DeepEqual) and waiting on a ticker and a channel at once.
//
// The loader runs the wasm main once in a worker before the page starts
// it, and there main calls Rehearse instead of starting the app (see
// InPage): the browser compiles each WebAssembly function on the thread
// that first calls it, so what Rehearse calls is compiled off the page's
// main thread. It tells the loader first (goappRehearsing), so that the
// page starts its program, whose initialisation is compiled by then, while
// the rehearsal goes on. It opens no connection and touches neither a
// document nor storage, and nothing it does outlives it.
func Rehearse() {
	if started := app.Window().Get("goappRehearsing"); started.Truthy() {
		started.Invoke()
	}
	rehearse(time.Now().UTC())
}

// rehearse runs the rehearsal on prices of time at and returns the HTML of
// the dashboard and of a symbol's page it rendered.
func rehearse(at time.Time) (dashboard, symbolPage string) {
	quotes := rehearsalQuotes(at)
	stream := live.New(live.Config{
		Dial:      rehearsalDial(quotes),
		AfterFunc: func(time.Duration, func()) func() bool { return func() bool { return true } },
	})
	stream.Connect(nil)
	items, _ := stream.Drain()
	stream.Close()

	handed, err := json.Marshal(prerendered{At: at, Quotes: quotes})
	if err != nil {
		return "", ""
	}
	p := newPage(Source{})
	var pre prerendered
	if decode(prerenderedID, string(handed), &pre) {
		p.board.Snapshot(watched(pre.Quotes, nil))
		p.asOf = pre.At
	}
	p.apply(items)
	p.status = live.StatusLive
	dashboard = app.HTMLString(p)

	p.symbol = quotes[0].Symbol
	p.chart = symbolData{Symbol: p.symbol}.snapshot(quotes)
	symbolPage = app.HTMLString(p)

	var saved savedBoard
	if b, err := json.Marshal(savedBoard{At: at, Quotes: p.board.Save(), Feed: p.board.Feed()}); err == nil {
		json.Unmarshal(b, &saved)
	}

	if u, err := url.Parse("http://localhost:8080/stocks/" + p.symbol + "?from=rehearsal"); err == nil {
		_ = u.String()
	}
	reflect.DeepEqual(p.board.Quotes(), saved.Quotes)
	tick := time.NewTicker(time.Millisecond)
	select {
	case <-tick.C:
	case <-make(chan struct{}):
	}
	tick.Stop()
	return dashboard, symbolPage
}

// rehearsalQuotes returns the latest prices of a few made-up symbols.
func rehearsalQuotes(at time.Time) []stock.Latest {
	var quotes []stock.Latest
	for i, sym := range []string{"AAPL", "MSFT", "NVDA"} {
		quotes = append(quotes, stock.Latest{
			StockPriceEvent: stock.StockPriceEvent{
				ID:        strconv.Itoa(i + 1),
				Symbol:    sym,
				Price:     stock.PriceFromMicros(int64(100+i) * 1_000_000),
				Timestamp: at,
			},
			Open: stock.PriceFromMicros(int64(99+i) * 1_000_000),
		})
	}
	return quotes
}

// rehearsalDial returns a dialer whose streams open at once and deliver a
// snapshot of quotes and an update of the first one, as the server sends
// them.
func rehearsalDial(quotes []stock.Latest) live.Dialer {
	return func(_ string, _ []string, h sse.Handlers) sse.Stream {
		snapshot, err := json.Marshal(quotes)
		if err != nil {
			return rehearsalStream{}
		}
		next := quotes[0].StockPriceEvent
		next.ID = strconv.Itoa(len(quotes) + 1)
		next.Price = stock.PriceFromMicros(next.Price.Micros() + 10_000)
		h.Open()
		h.Message(sse.Message{Type: stock.EventSnapshot, Data: string(snapshot), LastEventID: quotes[len(quotes)-1].ID})
		h.Message(sse.Message{Type: stock.EventUpdate, Data: string(next.AppendJSON(nil)), LastEventID: next.ID})
		return rehearsalStream{}
	}
}

// rehearsalStream is a stream that stays open until closed.
type rehearsalStream struct{}

func (rehearsalStream) ReadyState() sse.ReadyState { return sse.Open }
func (rehearsalStream) Close()                     {}
