package e2e_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/access/accesstest"
	"github.com/stockstream/stockstream/backend/config"
	stockserver "github.com/stockstream/stockstream/backend/server"
)

// The sign-in's hooks, as the contract names them.
const (
	signinInput  = "[data-signin-input]"
	signinSubmit = "[data-signin-submit]"
	signinError  = "[data-signin-error]"
	signout      = "[data-signout]"
)

// startFlagServer runs stockstream from its command line, as
// bin/stockstream runs it, with the subscriber key and the built-in
// simulator ticking AAPL, AMZN, GOOG and MSFT every 100 ms, plus args; it
// returns the server's base URL.
func startFlagServer(t *testing.T, args ...string) string {
	t.Helper()
	args = append([]string{"--addr", "127.0.0.1:0", "--subscribe-key", string(accesstest.Key),
		"--symbols", strings.Join(symbols, ","), "--interval", "100ms", "--retry", "300ms", "--heartbeat", "1s"}, args...)
	cfg, err := config.ParseServe(args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s := stockserver.New(cfg, nil, slog.New(slog.DiscardHandler))
	if err := s.Run(context.Background()); err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	addr := s.Addr().String()
	pages.Store(addr, s.Pages())
	t.Cleanup(func() { pages.Delete(addr) })
	return "http://" + addr
}

// subscribers returns the server's count of open streams by access
// class: token, delayed, anonymous.
func subscribers(t *testing.T, base string) map[string]int {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := map[string]int{}
	for _, m := range subscribersLine.FindAllStringSubmatch(string(body), -1) {
		out[m[1]], _ = strconv.Atoi(m[2])
	}
	return out
}

var subscribersLine = regexp.MustCompile(`(?m)^stockstream_subscribers\{access="(\w+)"\} (\d+)$`)

// waitSubscribers waits until the server counts want open streams of
// each class named.
func waitSubscribers(t *testing.T, base, step string, want map[string]int) {
	t.Helper()
	var got map[string]int
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		got = subscribers(t, base)
		if sameCounts(got, want) {
			return
		}
	}
	t.Fatalf("%s: the server counts streams %v, want %v", step, got, want)
}

func sameCounts(got, want map[string]int) bool {
	for k, n := range want {
		if got[k] != n {
			return false
		}
	}
	return true
}

// rowsAre is a JavaScript expression true when the table shows exactly
// the symbols given, in order, each with a price.
func rowsAre(syms ...string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("[data-symbol]")].map(e => e.dataset.symbol).join() === %s && `+
		`document.querySelectorAll("[data-symbol] [data-price]").length === %d`, jsString(strings.Join(syms, ",")), len(syms))
}

// signIn pastes token into the sign-in field and submits it.
func signIn(b *browser, token string) {
	b.t.Helper()
	// Paste: set the field at once, as a paste does, rather than type
	// hundreds of characters one key at a time.
	if err := b.eval(`(() => { const f = document.querySelector("[data-signin-input]"); f.focus(); f.value = `+jsString(token)+
		`; f.dispatchEvent(new Event("input", {bubbles: true})); return true })()`, nil); err != nil {
		b.t.Fatal(err)
	}
	b.click(signinSubmit)
}

// TestSignInAndOut: on a server that serves visitors live, a token
// pasted into the page signs it in; the page's stream then reads with the
// HttpOnly cookie, the token's symbols only, live; signing out closes it,
// and the next stream reads every symbol again, anonymously.
func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	base := startFlagServer(t)
	b := newBrowser(t)
	b.navigate(base + "/")
	b.wait("every symbol, live", statusIs("live")+" && "+rowsAre(symbols...), 30*time.Second)
	if b.text("[data-delay]") != "" {
		t.Error("a live page says its prices are delayed")
	}

	token := accesstest.Token(accesstest.Key, time.Hour, "AAPL", "MSFT")
	signIn(b, token)
	b.wait("signed in, the token's symbols, live", `document.querySelector("[data-signout]") && `+statusIs("live")+" && "+rowsAre("AAPL", "MSFT"), 30*time.Second)
	waitSubscribers(t, base, "signed in", map[string]int{"token": 1, "anonymous": 0})
	if got := b.text(".signed-in"); !strings.Contains(got, "Signed in: AAPL, MSFT") {
		t.Errorf("the page says %q when signed in", got)
	}
	var cookie string
	if err := b.eval(`document.cookie`, &cookie); err != nil || strings.Contains(cookie, token) {
		t.Errorf("the page's script reads the session cookie (%q, %v): it must be HttpOnly", cookie, err)
	}
	b.wait("updates of the token's symbols", `document.querySelectorAll("[data-feed] [data-id]").length >= 6`, 15*time.Second)
	var feed []string
	b.eval(`[...new Set([...document.querySelectorAll("[data-feed-symbol]")].map(e => e.dataset.feedSymbol))].sort()`, &feed)
	if strings.Join(feed, ",") != "AAPL,MSFT" {
		t.Errorf("the feed shows %v, want the token's AAPL and MSFT only", feed)
	}
	audit(t, b, "signed in")

	// A symbol's page the token does not grant says so and reads nothing;
	// the dashboard left for it, kept in the back/forward cache, has
	// closed its stream. Back on the dashboard the page reads the token's
	// symbols again.
	b.navigate(base + "/stocks/GOOG")
	b.wait("GOOG refused", `document.querySelector('[data-refusal="scope"]') && `+statusIs("offline"), 30*time.Second)
	if got := b.text("[data-refusal]"); !strings.Contains(got, "does not grant GOOG") {
		t.Errorf("a symbol outside the token: the page says %q", got)
	}
	waitSubscribers(t, base, "a symbol outside the token", map[string]int{"token": 0, "anonymous": 0})
	b.click("a.back")
	b.wait("back on the dashboard, live", `!document.querySelector("[data-refusal]") && `+statusIs("live")+" && "+rowsAre("AAPL", "MSFT"), 30*time.Second)

	b.click(signout)
	b.wait("signed out: every symbol, live, anonymously", `document.querySelector("[data-signin-input]") && !document.querySelector("[data-signout]") && `+
		statusIs("live")+" && "+rowsAre(symbols...), 30*time.Second)
	waitSubscribers(t, base, "signed out", map[string]int{"token": 0, "anonymous": 1})
	var focused bool
	b.eval(`document.activeElement === document.querySelector("[data-signin-input]")`, &focused)
	if !focused {
		t.Error("after signing out the focus is not in the sign-in field")
	}
}

// TestSubscribersOnly: on a server that serves subscribers only, the page
// says so at once and offers the sign-in instead of retrying; a refused
// token is named with the server's reason; a good one reads; signing out
// closes the stream and the page says again that it may not read.
func TestSubscribersOnly(t *testing.T) {
	t.Parallel()
	base := startFlagServer(t, "--anonymous", "none")
	b := newBrowser(t)
	b.navigate(base + "/")
	refused := `document.querySelector('[data-refusal="refused"]') && ` + statusIs("offline") +
		` && !document.querySelector("[data-symbol]") && document.querySelector("[data-signin-input]")`
	b.wait("refused, offering sign-in", refused, 30*time.Second)
	if got := b.text("[data-refusal]"); !strings.Contains(got, "subscribers only") {
		t.Errorf("the refusal says %q", got)
	}

	var expired string
	for _, bad := range accesstest.BadTokens(accesstest.Key, time.Now()) {
		if bad.Reason == access.ReasonExpired {
			expired = bad.Token
		}
	}
	signIn(b, expired)
	b.wait("the sign-in refused", `document.querySelector("[data-signin-error]")`, 15*time.Second)
	if got := b.text(signinError); !strings.Contains(got, "Sign-in refused: token expired at") {
		t.Errorf("a refused sign-in says %q", got)
	}
	audit(t, b, "sign-in refused")

	signIn(b, accesstest.Token(accesstest.Key, time.Hour, "AAPL", "MSFT"))
	b.wait("signed in, live", `!document.querySelector("[data-signin-error]") && !document.querySelector("[data-refusal]") && `+
		statusIs("live")+" && "+rowsAre("AAPL", "MSFT"), 30*time.Second)
	waitSubscribers(t, base, "signed in", map[string]int{"token": 1})

	b.click(signout)
	b.wait("signed out: refused again, the prices gone", refused, 30*time.Second)
	waitSubscribers(t, base, "signed out", map[string]int{"token": 0, "anonymous": 0})
	var saved bool
	b.eval(`localStorage.getItem("stockstream.prices.v1") !== null`, &saved)
	if saved {
		t.Error("the subscriber's prices are still saved in the browser after signing out")
	}
}

// TestDelayedTier: a visitor of a server with --anonymous delayed
// --anonymous-delay 15m reads the delayed stream, and the page says so
// beside the status; signed in, it reads live and says nothing of a
// delay.
func TestDelayedTier(t *testing.T) {
	t.Parallel()
	base := startFlagServer(t, "--anonymous", "delayed", "--anonymous-delay", "15m")
	b := newBrowser(t)
	b.navigate(base + "/")
	b.wait("delayed 15 min", `(document.querySelector("[data-delay]") || {}).textContent === "Delayed 15 min" && `+statusIs("live"), 30*time.Second)
	waitSubscribers(t, base, "a visitor", map[string]int{"delayed": 1, "anonymous": 0})
	var beside bool
	b.eval(`document.querySelector("[data-delay]").nextElementSibling === document.querySelector("[data-status]")`, &beside)
	if !beside {
		t.Error("data-delay is not beside the status")
	}
	audit(t, b, "delayed")

	signIn(b, accesstest.Token(accesstest.Key, time.Hour, "*"))
	b.wait("signed in: live, no delay", `!document.querySelector("[data-delay]") && `+statusIs("live")+" && "+rowsAre(symbols...), 30*time.Second)
	waitSubscribers(t, base, "signed in", map[string]int{"token": 1, "delayed": 0})
}

// TestSessionEnds: when the token of the page's session expires, the page
// says that the session ended and offers sign-in. It does not read on
// with the anonymous access left (here delayed data), and keeps the last
// prices it read, marked stale.
func TestSessionEnds(t *testing.T) {
	t.Parallel()
	base := startFlagServer(t, "--anonymous", "delayed", "--anonymous-delay", "15m")
	b := newBrowser(t)
	b.navigate(base + "/")
	b.wait("delayed", `document.querySelector("[data-delay]")`, 30*time.Second)

	exp := time.Now().Add(8 * time.Second)
	token, err := access.Mint(accesstest.Key, []string{"AAPL"}, exp)
	if err != nil {
		t.Fatal(err)
	}
	signIn(b, token)
	b.wait("signed in, live", statusIs("live")+" && "+rowsAre("AAPL")+` && !document.querySelector("[data-delay]")`, 30*time.Second)
	if time.Now().After(exp) {
		t.Fatal("the session expired before the page read with it: the machine is too slow for this test's 8 s")
	}

	b.wait("the session ended", `document.querySelector('[data-refusal="ended"]') && `+statusIs("offline")+
		` && document.querySelector("[data-signin-input]")`, 30*time.Second)
	if got := b.text("[data-refusal]"); !strings.Contains(got, "Your session ended at") {
		t.Errorf("the page says %q", got)
	}
	// Give a silent fallback time to happen: the browser's own reconnect
	// comes after the server's retry of 300 ms.
	time.Sleep(time.Second)
	waitSubscribers(t, base, "after the session ended", map[string]int{"token": 0, "delayed": 0, "anonymous": 0})
	var state struct {
		Rows  string
		Stale bool
		Delay bool
	}
	b.eval(`({rows: [...document.querySelectorAll("[data-symbol]")].map(e => e.dataset.symbol).join(),
		stale: !!document.querySelector("[data-stale]"), delay: !!document.querySelector("[data-delay]")})`, &state)
	if state.Rows != "AAPL" || !state.Stale || state.Delay {
		t.Errorf("after the session ended the page shows rows %q, stale %v, delayed %v; want the token's last AAPL price, stale, not delayed", state.Rows, state.Stale, state.Delay)
	}
	audit(t, b, "session ended")
}

// TestBackForwardCacheClosesTheStream: a page the browser keeps in its
// back/forward cache closes its stream, which would otherwise stay open
// with the rights the page left with, and reads again when it comes back.
func TestBackForwardCacheClosesTheStream(t *testing.T) {
	t.Parallel()
	base := startFlagServer(t)
	b := newBrowser(t)
	b.navigate(base + "/")
	b.wait("live", statusIs("live")+" && "+rowsAre(symbols...), 30*time.Second)
	waitSubscribers(t, base, "on the page", map[string]int{"anonymous": 1})
	// A first visit installs the service worker after the app runs; once
	// active it claims its pages, and Chromium evicts a page it claims
	// while in the cache (a loaded machine leaves it installing that long).
	// What is tested is a page restored from the cache, so leave once the
	// worker controls it, as on any later visit.
	b.wait("service worker controls the page", `navigator.serviceWorker.controller`, 30*time.Second)
	b.eval(`addEventListener("pageshow", e => sessionStorage.setItem("restored", e.persisted)) || true`, nil)
	notCached := b.bfcacheRefusals()
	defer func() {
		if t.Failed() {
			t.Logf("Chromium did not restore the page from its cache: %v", notCached())
		}
	}()

	b.navigate(base + "/healthz")
	waitSubscribers(t, base, "the page in the cache", map[string]int{"anonymous": 0})

	b.eval(`history.back() || true`, nil)
	b.wait("back from the cache, live", `sessionStorage.getItem("restored") === "true" && `+statusIs("live"), 30*time.Second)
	waitSubscribers(t, base, "the page back", map[string]int{"anonymous": 1})
}
