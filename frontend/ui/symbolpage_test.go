package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

func TestSymbolOf(t *testing.T) {
	for path, want := range map[string]string{"/stocks/aapl": "AAPL", "/stocks/BRK.B": "BRK.B", "/stocks/": "", "/stocks/1X": "1X", "/stocks/-X": "", "/stocks/AAPL/x": "", "/": "", "/aapl": ""} {
		if got := symbolOf(path); got != want {
			t.Errorf("symbolOf(%q) = %q, want %q", path, got, want)
		}
	}
}

// symbolFixture is a symbol's page data: a bar a minute over the last
// 30 minutes and a latest price above the session open.
func symbolFixture() symbolData {
	end := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	var bars []stock.Bar
	for m := 30; m > 0; m-- {
		p := stock.PriceFromCents(int64(10_000 + m))
		bars = append(bars, stock.Bar{Symbol: "AAPL", Start: end.Add(-time.Duration(m) * time.Minute), Open: p, High: p, Low: p, Close: p, Count: 1})
	}
	latest := stock.Latest{
		StockPriceEvent: stock.StockPriceEvent{ID: "9", Symbol: "AAPL", Price: stock.MustParsePrice("118.8"), Timestamp: end},
		Open:            stock.MustParsePrice("100"),
	}
	return symbolData{Symbol: "AAPL", Latest: latest, Bars: bars, Day: market.DayOf(latest, bars)}
}

func TestSymbolPageRendersPriceSessionAndChart(t *testing.T) {
	p := newPage(Source{})
	p.symbol, p.chart = "AAPL", symbolFixture()
	html := app.HTMLString(p)
	for _, want := range []string{
		`data-symbol="AAPL"`, `data-price="118.8"`, `>118.80<`, `+18.80`, `+18.80%`,
		`data-day="open">100.00<`, `data-day="high">118.80<`, `data-day="low">100.01<`,
		`data-chart="AAPL"`, `data-bars="30"`, `class="chart-candle up"`, `aria-label="AAPL: price over the last hour`,
		`data-status="connecting"`, `href="/"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("symbol page lacks %s:\n%s", want, html)
		}
	}
	if n := strings.Count(html, "<rect"); n != 30 {
		t.Errorf("%d candles, want 30", n)
	}
}

func TestSymbolPageWithoutPrices(t *testing.T) {
	html := app.HTMLString(&page{symbol: "ZZZZ", chart: symbolData{Symbol: "ZZZZ"}})
	for _, want := range []string{"No prices for ZZZZ yet", `data-chart="ZZZZ"`, "No trades in the last hour"} {
		if !strings.Contains(html, want) {
			t.Errorf("page of a symbol without prices lacks %s:\n%s", want, html)
		}
	}
}

func TestSymbolDataFollowsTheStream(t *testing.T) {
	d := symbolFixture()
	bars := d.Bars
	at := d.Latest.Timestamp.Add(90 * time.Second)
	d = d.apply([]stock.StockPriceEvent{
		{ID: "8", Symbol: "AAPL", Price: stock.MustParsePrice("1"), Timestamp: at},      // older id: ignored
		{ID: "10", Symbol: "MSFT", Price: stock.MustParsePrice("1"), Timestamp: at},     // another symbol
		{ID: "11", Symbol: "AAPL", Price: stock.MustParsePrice("125.5"), Timestamp: at}, // new high, new bar
	})
	if d.Latest.ID != "11" || d.Latest.Open.String() != "100" || d.Day.High.String() != "125.5" || d.Day.Low.String() != "100.01" {
		t.Fatalf("after the stream: latest %+v, day %+v", d.Latest, d.Day)
	}
	if len(d.Bars) != 31 || d.Bars[30].Close.String() != "125.5" || len(bars) != 30 {
		t.Fatalf("%d bars (given %d), last %+v", len(d.Bars), len(bars), d.Bars[len(d.Bars)-1])
	}
}
