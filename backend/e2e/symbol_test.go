package e2e_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// history publishes a price of sym every 30 s over the last span, the
// newest a minute ago, priced 100.00, 100.01, …, and returns the events.
func (s *server) history(sym string, span time.Duration) []stock.StockPriceEvent {
	s.t.Helper()
	now := time.Now().UTC()
	var quotes []stock.Quote
	for at, i := now.Add(-span), int64(0); at.Before(now.Add(-time.Minute)); at, i = at.Add(30*time.Second), i+1 {
		quotes = append(quotes, stock.Quote{Symbol: sym, Price: stock.PriceFromCents(10_000 + i), Timestamp: at})
	}
	evs, err := s.broker.Publish(context.Background(), backend.PublishRequest{Quotes: quotes})
	if err != nil {
		s.t.Fatalf("publish history: %v", err)
	}
	return evs
}

// chartBars is a JavaScript expression: the number of candles the chart
// draws.
const chartBars = `document.querySelectorAll("svg[data-chart] rect.chart-candle").length`

// TestSymbolPageChartsTheLastHourLive: /stocks/AAPL arrives from the
// server with the chart of the last hour already drawn, then follows the
// stream: a new price moves the headline, the session's high and the
// chart's last candle, again and again.
func TestSymbolPageChartsTheLastHourLive(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	past := s.history("AAPL", 40*time.Minute) // the newest a minute ago

	// The server renders the chart: a page without the app has it.
	res := do(t, s.URL()+"/stocks/aapl", nil)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), `data-chart="AAPL"`) || strings.Count(string(page), `class="chart-candle`) < 35 {
		t.Fatalf("GET /stocks/aapl: %d, chart with %d candles in the page", res.StatusCode, strings.Count(string(page), `class="chart-candle`))
	}

	b := newBrowser(t)
	b.navigate(s.URL() + "/stocks/AAPL")
	b.wait("the chart and a live badge", chartBars+` >= 35 && `+statusIs("live"), 30*time.Second)
	last := past[len(past)-1].Price
	b.wait("the latest price", `document.querySelector(".symbol [data-price]").dataset.price === `+jsString(last.String()), 10*time.Second)
	candles := 0
	b.eval(chartBars, &candles)

	for i, price := range []string{"150.25", "151.5", "149.75"} {
		s.publish("AAPL", price)
		b.wait("price "+price+" on the page",
			`document.querySelector(".symbol [data-price]").dataset.price === `+jsString(stock.MustParsePrice(price).String())+
				` && document.querySelector(".chart-last-label").textContent === `+jsString(stock.MustParsePrice(price).String()), 10*time.Second)
		if i == 0 {
			b.wait("a candle for this minute", chartBars+` > `+strconv.Itoa(candles), 10*time.Second)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if got := b.text(`[data-day="high"]`); got != "151.50" {
		t.Errorf("session high %q, want 151.50", got)
	}
	audit(t, b, "symbol")
}

// TestRowLinksToItsSymbolPage: a symbol in the table opens its page, which
// shows its chart.
func TestRowLinksToItsSymbolPage(t *testing.T) {
	t.Parallel()
	s, b, _ := openDashboard(t, 0)
	s.history("MSFT", 10*time.Minute)
	b.click(`[data-symbol="MSFT"] a`)
	b.wait("the MSFT page with its chart", `location.pathname === "/stocks/MSFT" && `+chartBars+` >= 5 && `+statusIs("live"), 30*time.Second)
}

// TestSparklinesStartWithHistory: a first visit, with no saved prices and
// no new event, draws every symbol's recent past from its bars; a reload
// shows it at once.
func TestSparklinesStartWithHistory(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	for _, sym := range symbols {
		s.history(sym, 30*time.Minute)
	}
	b := newBrowser(t)
	b.navigate(s.URL() + "/")
	full := `[...document.querySelectorAll("[data-symbol] polyline")].every(p => p.getAttribute("points").split(" ").length >= 20)`
	b.wait("every sparkline with its history", `document.querySelectorAll("[data-symbol] polyline").length === 4 && `+full, 30*time.Second)
	b.reload()
	b.wait("sparklines with history right after the reload", full, 5*time.Second)
}
