package e2e_test

import (
	"testing"
	"time"
)

// TestDashboardShowsLiveRows: every symbol gets a row with its exact price,
// rows follow updates, and the badge goes live.
func TestDashboardShowsLiveRows(t *testing.T) {
	s := startServer(t)
	want := s.seed()
	b := newBrowser(t)
	b.navigate(s.URL() + "/")

	b.wait("badge live", statusIs("live"), 30*time.Second)
	for sym, price := range want {
		b.wait(sym+" at "+price, hasPrice(sym, price), 10*time.Second)
	}

	evs := s.publish("AAPL", "118.88", "MSFT", "0.000125", "NVDA", "1000")
	b.wait("AAPL moved", hasPrice("AAPL", "118.88"), 10*time.Second)
	b.wait("MSFT moved", hasPrice("MSFT", "0.000125"), 10*time.Second)
	b.wait("new symbol NVDA", hasPrice("NVDA", "1000"), 10*time.Second)
	last := evs[len(evs)-1].ID
	b.wait("badge shows last id", `document.querySelector('[data-status="live"]').dataset.lastEventId === `+jsString(last), 10*time.Second)

	var rows int
	if err := b.eval(`document.querySelectorAll("[data-symbol]").length`, &rows); err != nil || rows != 5 {
		t.Fatalf("rows = %d (%v), want 5", rows, err)
	}
	if got := b.text(`[data-symbol="AAPL"] .chg`); got != "+18.63" {
		t.Errorf("AAPL change = %q, want +18.63 (118.88 - 100.25)", got)
	}
	if got := b.text(`.feed-item`); got == "" {
		t.Error("the live feed is empty")
	}
}

// TestReconnectLosesNothing: stopping the server turns the badge
// connecting or offline; events published meanwhile all arrive, in order,
// once the server is back, and the badge is live again.
func TestReconnectLosesNothing(t *testing.T) {
	s := startServer(t)
	s.seed()
	b := newBrowser(t)
	b.navigate(s.URL() + "/")
	b.wait("badge live", statusIs("live"), 30*time.Second)
	before := s.publish("SEQ", "1.00")
	b.wait("SEQ row", hasPrice("SEQ", "1"), 10*time.Second)

	s.stop()
	b.wait("badge not live", statusIs("connecting", "offline"), 15*time.Second)

	var ids []string
	for i := 1; i <= 20; i++ {
		ev := s.publish("SEQ", "1."+pad2(i))
		ids = append(ids, ev[0].ID)
	}
	time.Sleep(time.Second) // let the browser fail a reconnect or two
	s.start()
	b.wait("badge live again", statusIs("live"), 30*time.Second)
	after := s.publish("SEQ", "2.00")
	ids = append(ids, after[0].ID)
	b.wait("last event shown", hasPrice("SEQ", "2"), 10*time.Second)

	var got []string
	err := b.eval(`[...document.querySelectorAll('[data-feed-symbol="SEQ"]')].map(e => e.dataset.id).reverse()`, &got)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{before[0].ID}, ids...)
	if len(got) != len(want) {
		t.Fatalf("feed holds %d SEQ events, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("feed event %d has id %s, want %s:\n got %v\nwant %v", i, got[i], want[i], got, want)
		}
	}
}

// TestWatchlistFiltersSymbols: a watchlist reconnects with ?symbols= and
// shows only its symbols, also after a reload.
func TestWatchlistFiltersSymbols(t *testing.T) {
	s := startServer(t)
	s.seed()
	b := newBrowser(t)
	b.navigate(s.URL() + "/")
	// The page arrives with the server's prices; the form works once the
	// app has loaded and connected.
	b.wait("all rows, live", `document.querySelectorAll("[data-symbol]").length === 4 && `+statusIs("live"), 30*time.Second)

	if err := b.eval(`(() => {
		const input = document.querySelector("#watch-input");
		input.value = "aapl, msft";
		input.dispatchEvent(new Event("input", {bubbles: true}));
		return true;
	})()`, nil); err != nil {
		t.Fatal(err)
	}
	b.wait("input seen", `document.querySelector("#watch-input").value !== ""`, 5*time.Second)
	if err := b.eval(`document.querySelector(".watch-form button[type=submit]").click()`, nil); err != nil {
		t.Fatal(err)
	}
	onlyTwo := `document.querySelectorAll("[data-symbol]").length === 2 && ` + hasPrice("AAPL", "100.25") + ` && ` + hasPrice("MSFT", "130.25")
	b.wait("only AAPL and MSFT", onlyTwo, 15*time.Second)
	b.wait("live", statusIs("live"), 10*time.Second)

	s.publish("GOOG", "999", "AAPL", "101")
	b.wait("AAPL moved", hasPrice("AAPL", "101"), 10*time.Second)
	if n := b.text(`[data-symbol="GOOG"]`); n != "" {
		t.Errorf("GOOG shown despite the watchlist: %q", n)
	}

	b.reload()
	b.wait("watchlist kept after reload", `document.querySelectorAll("[data-symbol]").length === 2 && `+hasPrice("AAPL", "101")+` && `+statusIs("live"), 30*time.Second)
}

func pad2(i int) string {
	if i < 10 {
		return "0" + string(rune('0'+i))
	}
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}
