package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/shared/stock"
)

func TestStreamSymbols(t *testing.T) {
	cases := []struct {
		watch  []string
		symbol string
		want   []string
	}{
		{nil, "", nil},
		{nil, "AAPL", nil}, // every symbol already
		{[]string{"AAPL"}, "", []string{"AAPL"}},
		{[]string{"AAPL"}, "AAPL", []string{"AAPL"}},
		{[]string{"AAPL"}, "MSFT", []string{"AAPL", "MSFT"}},
	}
	for _, c := range cases {
		got := streamSymbols(c.watch, c.symbol)
		if !slices.Equal(got, c.want) {
			t.Errorf("streamSymbols(%v, %q) = %v, want %v", c.watch, c.symbol, got, c.want)
		}
		if c.symbol != "" && !covers(got, c.symbol) {
			t.Errorf("the stream %v leaves out %s", got, c.symbol)
		}
	}
	watch := []string{"AAPL"}
	streamSymbols(watch, "MSFT")
	if len(watch) != 1 {
		t.Error("the watchlist was changed")
	}
}

// TestPartsShowTheServersHTMLUntilRendered: a part the server rendered is
// shown as it was until its turn comes, one per step, in startupOrder.
func TestPartsShowTheServersHTMLUntilRendered(t *testing.T) {
	p := newPage(Source{})
	p.start.server = map[string]string{
		partTable: `<section class="quotes" data-part="table">server table</section>`,
		partNote:  `<p class="status-note" data-part="note">server note</p>`,
	}
	html := app.HTMLString(p)
	if !strings.Contains(html, "server table") || !strings.Contains(html, "server note") || strings.Contains(html, "Waiting for prices") {
		t.Fatalf("first render:\n%s", html)
	}
	if !p.start.showsServerPrices() {
		t.Error("the server's table is shown, yet no server prices")
	}
	var order []string
	for len(p.start.server) > 0 {
		if len(order) == 1 && p.start.showsServerPrices() {
			t.Error("the table is the app's, yet server prices are shown")
		}
		before := keysOf(p.start.server)
		if !p.start.next() {
			t.Fatal("next found nothing with parts pending")
		}
		for name := range before {
			if _, still := p.start.server[name]; !still {
				order = append(order, name)
			}
		}
	}
	if !slices.Equal(order, []string{partTable, partNote}) || p.start.next() {
		t.Errorf("parts rendered in the order %v", order)
	}
	if html := app.HTMLString(p); strings.Contains(html, "server table") || !strings.Contains(html, "Waiting for prices") {
		t.Errorf("after the last step:\n%s", html)
	}
}

func keysOf(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func TestSymbolDataTakesTheBarsAskedFor(t *testing.T) {
	d := symbolFixture()
	minute := d.Latest.Timestamp.Truncate(time.Minute)
	hours := []stock.Bar{{Symbol: "AAPL", Start: minute.Truncate(time.Hour), Open: stock.MustParsePrice("100"), High: stock.MustParsePrice("130"), Low: stock.MustParsePrice("90"), Close: stock.MustParsePrice("118.8"), Count: 9}}
	minutes := d.Bars[:10]
	got := d.withBars(minutes, hours)
	if got.Day.High.String() != "130" || got.Day.Low.String() != "90" {
		t.Errorf("session from the hourly bars: %+v", got.Day)
	}
	if n := len(got.Bars); n != 11 || got.Bars[n-1].Close != d.Latest.Price {
		t.Errorf("%d bars, the last %+v; want the 10 asked for and the latest price's", n, got.Bars[n-1])
	}
	if len(d.Bars) != 30 {
		t.Error("the page's data was changed in place")
	}
}
