package ui

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/live"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

func TestQuoteRowHasContractHooks(t *testing.T) {
	var b market.Board
	b.Apply(stock.StockPriceEvent{ID: "1", Symbol: "AAPL", Price: stock.MustParsePrice("100"), Timestamp: time.Now()})
	b.Apply(stock.StockPriceEvent{ID: "2", Symbol: "AAPL", Price: stock.MustParsePrice("118.8"), Timestamp: time.Now()})
	q, _ := b.Quote("AAPL")
	html := app.HTMLString(&quoteRow{Quote: q})
	for _, want := range []string{`data-symbol="AAPL"`, `data-price="118.8"`, `>118.80<`, `+18.80`, `+18.80%`, `flash-up-1`, `<polyline`, `aria-label="AAPL price trend"`} {
		if !strings.Contains(html, want) {
			t.Errorf("row lacks %s:\n%s", want, html)
		}
	}
}

func TestBadgeAnnouncesOnlyTheState(t *testing.T) {
	for _, st := range []live.Status{live.StatusLive, live.StatusConnecting, live.StatusOffline} {
		html := app.HTMLString(&badge{Status: st, LastID: "42"})
		if !strings.Contains(html, `data-status="`+string(st)+`"`) || !strings.Contains(html, "#42") {
			t.Errorf("badge %s: %s", st, html)
		}
		if strings.Contains(html, "aria-live") || strings.Count(html, `role="status"`) != 1 {
			t.Errorf("badge %s: one status region expected, without the id:\n%s", st, html)
		}
		i := strings.Index(html, `role="status"`)
		if end := strings.Index(html[i:], "</span>"); strings.Contains(html[i:i+end], "42") {
			t.Errorf("the badge's live region holds the id: %s", html)
		}
	}
}

func TestStatusNote(t *testing.T) {
	at := time.Date(2025, 6, 16, 9, 30, 5, 0, time.Local)
	cases := []struct {
		note  statusNote
		text  string
		stale bool
	}{
		{statusNote{Status: live.StatusConnecting, AsOf: at}, "Prices as of 09:30:05, connecting…", false},
		{statusNote{Status: live.StatusLive, AsOf: at}, "Live", false},
		{statusNote{Status: live.StatusOffline, AsOf: at}, "Offline: showing the last-known prices, from 09:30:05.", true},
		{statusNote{Status: live.StatusOffline, Empty: true}, "Offline: no prices", false},
		{statusNote{Status: live.StatusConnecting, Empty: true}, "Connecting", false},
	}
	for _, c := range cases {
		html := app.HTMLString(&c.note)
		if !strings.Contains(html, c.text) || strings.Contains(html, "data-stale") != c.stale {
			t.Errorf("%+v: %s", c.note, html)
		}
	}
}

func TestServerRendersLatestPricesConnectingNotStale(t *testing.T) {
	var asked *url.URL
	prices := func(page *url.URL) []stock.Latest {
		asked = page
		return []stock.Latest{{StockPriceEvent: stock.StockPriceEvent{ID: "7", Symbol: "AAPL", Price: stock.MustParsePrice("118.8"), Timestamp: time.Now()},
			Open: stock.MustParsePrice("100")}}
	}
	d := newPage(Source{Latest: prices})
	e := app.NewTestEngine()
	if err := e.Load(d); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	html := app.HTMLString(d)
	for _, want := range []string{`data-symbol="AAPL"`, `>118.80<`, `+18.80`, `data-status="connecting"`, "Prices as of", `id="prerendered"`, `"open":100`} {
		if !strings.Contains(html, want) {
			t.Errorf("server-rendered page lacks %s:\n%s", want, html)
		}
	}
	for _, bad := range []string{"data-stale", "stale"} {
		if strings.Contains(html, bad) {
			t.Errorf("fresh server-rendered prices are marked %s", bad)
		}
	}
	if asked == nil {
		t.Error("the prices were not asked for the page")
	}
}

func TestPrerenderedScriptCannotBeClosedEarly(t *testing.T) {
	p := prerendered{Quotes: []stock.Latest{{StockPriceEvent: stock.StockPriceEvent{ID: "</script><script>alert(1)</script>", Symbol: "A"}}}}
	html := app.HTMLString(app.Div().Body(handOver(prerenderedID, p)))
	if strings.Count(html, "</script>") != 1 || strings.Contains(html, "<script>alert") {
		t.Errorf("the data escaped its element: %s", html)
	}
}

func TestWatchlistDisabledUntilReady(t *testing.T) {
	fieldsetDisabled := regexp.MustCompile(`<fieldset[^>]*\sdisabled[\s>]`)
	if html := app.HTMLString(&watchlist{}); !fieldsetDisabled.MatchString(html) {
		t.Errorf("server-rendered watchlist is not disabled: %s", html)
	}
	html := app.HTMLString(&watchlist{Ready: true})
	if strings.Contains(html, "disabled") {
		t.Errorf("ready watchlist is disabled: %s", html)
	}
	for _, hook := range []string{"data-watchlist-input", "data-watchlist-submit"} {
		if !strings.Contains(html, hook) {
			t.Errorf("watchlist lacks %s", hook)
		}
	}
	if html := app.HTMLString(&watchlist{Ready: true, check: &symbolCheck{}}); fieldsetDisabled.MatchString(html) ||
		!strings.Contains(html, "disabled") || !strings.Contains(html, "Checking") {
		t.Errorf("watchlist checking symbols: %s", html)
	}
	if html := app.HTMLString(&watchlist{Ready: true, err: "nope"}); !strings.Contains(html, `data-watchlist-error`) || !strings.Contains(html, "nope") {
		t.Errorf("watchlist error: %s", html)
	}
}

func TestParseWatch(t *testing.T) {
	cases := []struct {
		in       string
		syms     []string
		bad      []string
		refusal  string
		unknowns []string
	}{
		{in: "aapl msft", syms: []string{"AAPL", "MSFT"}},
		{in: " AAPL,msft;goog\tBRK.B\n", syms: []string{"AAPL", "MSFT", "GOOG", "BRK.B"}},
		{in: "aapl, AAPL ;; aapl", syms: []string{"AAPL"}},
		{in: "MSFT;B@D, tsla", syms: []string{"MSFT", "TSLA"}, bad: []string{"B@D"}, refusal: "B@D is not a symbol"},
		{in: "a$ .9 a$", bad: []string{"a$", ".9"}, refusal: "a$, .9 are not symbols"},
		{in: "0700.hk", syms: []string{"0700.HK"}},
		{in: "   ", refusal: ""},
	}
	for _, c := range cases {
		syms, bad := parseWatch(c.in)
		if !slices.Equal(syms, c.syms) || !slices.Equal(bad, c.bad) {
			t.Errorf("parseWatch(%q) = %v, %v; want %v, %v", c.in, syms, bad, c.syms, c.bad)
		}
		if got := refusal(bad, nil); !strings.HasPrefix(got, c.refusal) || (c.refusal == "") != (got == "") {
			t.Errorf("refusal for %q = %q", c.in, got)
		}
	}
	if got := refusal(nil, []string{"ZZZZ"}); got != "Unknown symbol ZZZZ: the server has no prices for it." {
		t.Errorf("unknown: %q", got)
	}
	long := strings.Repeat("X", 40)
	if got := names([]string{"1", "2", "3", "4", "5", "6", "7", long}); got != "1, 2, 3, 4, 5, and 3 more" {
		t.Errorf("names = %q", got)
	}
	if got := names([]string{long}); got != strings.Repeat("X", 12)+"…" {
		t.Errorf("names = %q", got)
	}
}

func TestMergeSymbols(t *testing.T) {
	got := mergeSymbols([]string{"AAPL"}, []string{"MSFT", "AAPL"})
	if strings.Join(got, ",") != "AAPL,MSFT" {
		t.Errorf("merge = %v", got)
	}
}

func TestWatchedFiltersPrerenderedPrices(t *testing.T) {
	all := []stock.Latest{{StockPriceEvent: stock.StockPriceEvent{Symbol: "AAPL"}}, {StockPriceEvent: stock.StockPriceEvent{Symbol: "MSFT"}}}
	if got := watched(all, nil); len(got) != 2 {
		t.Errorf("no watchlist kept %d", len(got))
	}
	if got := watched(all, []string{"MSFT"}); len(got) != 1 || got[0].Symbol != "MSFT" {
		t.Errorf("watchlist kept %v", got)
	}
}
