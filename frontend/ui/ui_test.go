package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

func TestQuoteRowHasContractHooks(t *testing.T) {
	var b market.Board
	b.Apply(stock.StockPriceEvent{ID: "1", Symbol: "AAPL", Price: stock.MustParsePrice("100"), Timestamp: time.Now()})
	b.Apply(stock.StockPriceEvent{ID: "2", Symbol: "AAPL", Price: stock.MustParsePrice("118.88"), Timestamp: time.Now()})
	q, _ := b.Quote("AAPL")
	html := app.HTMLString(&quoteRow{Quote: q})
	for _, want := range []string{`data-symbol="AAPL"`, `data-price="118.88"`, `>118.88<`, `+18.88`, `+18.88%`, `flash-up-1`, `<polyline`} {
		if !strings.Contains(html, want) {
			t.Errorf("row lacks %s:\n%s", want, html)
		}
	}
}

func TestBadgeStatus(t *testing.T) {
	for _, st := range []string{"live", "connecting", "offline"} {
		html := app.HTMLString(&badge{Status: st, LastID: "42"})
		if !strings.Contains(html, `data-status="`+st+`"`) || !strings.Contains(html, "#42") {
			t.Errorf("badge %s: %s", st, html)
		}
	}
}

func TestDashboardPrerendersConnecting(t *testing.T) {
	html := app.HTMLString(newDashboard(nil))
	for _, want := range []string{`data-status="connecting"`, "Waiting for prices", "watch-input"} {
		if !strings.Contains(html, want) {
			t.Errorf("prerendered page lacks %s", want)
		}
	}
}

func TestMergeSymbols(t *testing.T) {
	got := mergeSymbols([]string{"AAPL"}, []string{"MSFT", "AAPL"})
	if strings.Join(got, ",") != "AAPL,MSFT" {
		t.Errorf("merge = %v", got)
	}
}

func TestServerRendersLatestPricesNotLive(t *testing.T) {
	latest := func() []stock.StockPriceEvent {
		return []stock.StockPriceEvent{{ID: "7", Symbol: "AAPL", Price: stock.MustParsePrice("118.88"), Timestamp: time.Now()}}
	}
	d := newDashboard(latest)
	e := app.NewTestEngine()
	if err := e.Load(d); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	html := app.HTMLString(d)
	for _, want := range []string{`data-symbol="AAPL"`, `>118.88<`, `data-status="connecting"`, `class="stale-note"`} {
		if !strings.Contains(html, want) {
			t.Errorf("server-rendered page lacks %s:\n%s", want, html)
		}
	}
}

func TestWatchlistDisabledUntilReady(t *testing.T) {
	if html := app.HTMLString(&watchlist{}); !strings.Contains(html, "<fieldset class=\"watch-fields\" disabled") {
		t.Errorf("server-rendered watchlist is not disabled: %s", html)
	}
	if html := app.HTMLString(&watchlist{Ready: true}); strings.Contains(html, "disabled") {
		t.Errorf("ready watchlist is disabled: %s", html)
	}
}
