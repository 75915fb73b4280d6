package e2e_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
)

const input = "[data-watchlist-input]"

// watchState is what the watchlist shows.
type watchState struct {
	Chips  []string
	Rows   []string
	Error  string
	Input  string
	Status string
}

const watchStateJS = `({
	chips: [...document.querySelectorAll("[data-watch]")].map(e => e.dataset.watch),
	rows: [...document.querySelectorAll("[data-symbol]")].map(e => e.dataset.symbol),
	error: (document.querySelector("[data-watchlist-error]") || {}).textContent || "",
	input: document.querySelector("[data-watchlist-input]").value,
	status: document.querySelector("[data-status]").dataset.status,
})`

// expectWatch waits until the page shows the chips, the rows (in the
// table's symbol order), a message containing errPart (none when empty)
// and the field's text.
func expectWatch(t *testing.T, b *browser, step string, chips, rows []string, errPart, field string) {
	t.Helper()
	var got watchState
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if err := b.eval(watchStateJS, &got); err != nil {
			t.Fatal(err)
		}
		if slices.Equal(got.Chips, chips) && slices.Equal(got.Rows, rows) && got.Input == field &&
			(errPart == "" && got.Error == "" || errPart != "" && strings.Contains(got.Error, errPart)) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: the page shows chips %v, rows %v, message %q, field %q; want chips %v, rows %v, message with %q, field %q",
		step, got.Chips, got.Rows, got.Error, got.Input, chips, rows, errPart, field)
}

// erase deletes the field's text with the Backspace key.
func erase(b *browser) {
	var text string
	b.eval(`document.querySelector("[data-watchlist-input]").value`, &text)
	b.click(input)
	b.press(kb.End + strings.Repeat(kb.Backspace, len([]rune(text))))
}

// TestWatchlistUnderstandsPeople types into the watchlist as a person does,
// key by key, and checks the chips, the rows and the message of each case.
func TestWatchlistUnderstandsPeople(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.seed()
	b := newBrowser(t)
	b.navigate(s.URL() + "/")
	b.wait("all rows, live", `document.querySelectorAll("[data-symbol]").length === 4 && `+statusIs("live")+
		` && !document.querySelector("fieldset[disabled]")`, 30*time.Second)
	all := []string{"AAPL", "AMZN", "GOOG", "MSFT"}
	expectWatch(t, b, "start", nil, all, "", "")

	// Lower case, separated by a space, submitted with Enter.
	b.typeText(input, "aapl msft")
	b.press(kb.Enter)
	expectWatch(t, b, "aapl msft", []string{"AAPL", "MSFT"}, []string{"AAPL", "MSFT"}, "", "")
	b.wait("live again", statusIs("live"), 10*time.Second)

	// A semicolon and a malformed token: the good one joins, the bad one
	// stays in the field, named in the message.
	b.typeText(input, "goog;B@D")
	b.click("[data-watchlist-submit]")
	expectWatch(t, b, "goog;B@D", []string{"AAPL", "MSFT", "GOOG"}, []string{"AAPL", "GOOG", "MSFT"}, "B@D is not a symbol", "B@D")

	// Editing the field clears the message.
	b.typeText(input, "x")
	expectWatch(t, b, "typing after an error", []string{"AAPL", "MSFT", "GOOG"}, []string{"AAPL", "GOOG", "MSFT"}, "", "B@Dx")
	erase(b)

	// A well-formed symbol the server has no prices for.
	b.typeText(input, "zzzz")
	b.press(kb.Enter)
	expectWatch(t, b, "zzzz", []string{"AAPL", "MSFT", "GOOG"}, []string{"AAPL", "GOOG", "MSFT"}, "Unknown symbol ZZZZ", "ZZZZ")
	erase(b)

	// Commas, a symbol already watched and a new one.
	b.typeText(input, "MSFT, amzn")
	b.press(kb.Enter)
	expectWatch(t, b, "MSFT, amzn", []string{"AAPL", "MSFT", "GOOG", "AMZN"}, all, "", "")

	// Nothing typed.
	b.press(kb.Enter)
	expectWatch(t, b, "empty", []string{"AAPL", "MSFT", "GOOG", "AMZN"}, all, "Type one or more symbols", "")

	// Removing a chip with its button.
	b.click(`[data-watch="GOOG"] button`)
	expectWatch(t, b, "remove GOOG", []string{"AAPL", "MSFT", "AMZN"}, []string{"AAPL", "AMZN", "MSFT"}, "", "")
	b.wait("live", statusIs("live"), 10*time.Second)

	// Only watched symbols move; the watchlist survives a reload.
	s.publish("GOOG", "999", "AAPL", "101")
	b.wait("AAPL moved", hasPrice("AAPL", "101"), 10*time.Second)
	b.reload()
	b.wait("live after reload", statusIs("live"), 30*time.Second)
	expectWatch(t, b, "reload", []string{"AAPL", "MSFT", "AMZN"}, []string{"AAPL", "AMZN", "MSFT"}, "", "")
	b.wait("AAPL kept its price", hasPrice("AAPL", "101"), 10*time.Second)

	// Every symbol again.
	b.click("#watch-all")
	expectWatch(t, b, "all symbols", nil, all, "", "")
}
