package e2e_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
)

// TestOneStreamAcrossPages: moving from the dashboard to a symbol's page
// and back, by links and by the browser's history, keeps the page (no
// reload) and its one stream; the symbol's page shows its chart and live
// prices, and the dashboard is current when it comes back. A symbol the
// watchlist leaves out is added to the stream, which then opens once more.
func TestOneStreamAcrossPages(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.seed()
	s.history("MSFT", 10*time.Minute)
	b := newBrowser(t)
	b.probeStartup()
	b.navigate(s.URL() + "/")
	b.wait("live", statusIs("live")+` && !document.querySelector("fieldset[disabled]")`, 30*time.Second)
	if err := b.eval(`window.__samePage = true`, nil); err != nil {
		t.Fatal(err)
	}

	b.click(`[data-symbol="MSFT"] a`)
	b.wait("the MSFT page with its chart", `location.pathname === "/stocks/MSFT" && document.title.startsWith("MSFT") && `+chartBars+` >= 5 && `+statusIs("live"), 30*time.Second)
	s.publish("MSFT", "321.5")
	b.wait("a live MSFT price on its page", `document.querySelector(".symbol [data-price]").dataset.price === "321.5" && document.querySelector(".chart-last-label").textContent === "321.5"`, 10*time.Second)

	b.click(`a.back`)
	b.wait("the dashboard", `location.pathname === "/" && document.querySelectorAll("[data-symbol]").length === 4`, 10*time.Second)
	s.publish("AAPL", "99.5")
	b.wait("a live price on the dashboard", hasPrice("AAPL", "99.5")+" && "+hasPrice("MSFT", "321.5"), 10*time.Second)

	b.eval(`history.back()`, nil)
	b.wait("the MSFT page again", `location.pathname === "/stocks/MSFT" && `+chartBars+` >= 5`, 10*time.Second)
	b.eval(`history.forward()`, nil)
	b.wait("the dashboard again", `location.pathname === "/" && document.querySelector("[data-feed]")`, 10*time.Second)
	var streams int
	if err := b.eval(`window.__samePage && window.__startup.eventSources.length`, &streams); err != nil || streams != 1 {
		t.Fatalf("after moving between pages: %d streams opened (%v); want the page kept and one stream", streams, err)
	}

	// Watch AAPL alone, then open MSFT's page: the stream must carry MSFT.
	b.typeText(input, "aapl")
	b.press(kb.Enter)
	b.wait("AAPL alone", `document.querySelectorAll("[data-symbol]").length === 1 && `+statusIs("live"), 15*time.Second)
	if err := b.eval(`goappNav("/stocks/MSFT")`, nil); err != nil {
		t.Fatal(err)
	}
	b.wait("the MSFT page", `location.pathname === "/stocks/MSFT" && document.querySelector(".symbol [data-price]")`, 10*time.Second)
	s.publish("MSFT", "322.25")
	b.wait("MSFT streams while unwatched", `document.querySelector(".symbol [data-price]").dataset.price === "322.25"`, 10*time.Second)
	b.click(`a.back`)
	b.wait("the dashboard keeps to the watchlist", `location.pathname === "/" && document.querySelectorAll("[data-symbol]").length === 1 && document.querySelector('[data-symbol="AAPL"]')`, 10*time.Second)
	var same bool
	if err := b.eval(`window.__samePage === true`, &same); err != nil || !same {
		t.Errorf("the page was reloaded (%v)", err)
	}
}
