package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/access/accesstest"
	"github.com/stockstream/stockstream/backend/clientip"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/stock"
)

var subKey = accesstest.Key

// readRoutes are the routes that read prices, each with a symbol the
// tests publish.
var readRoutes = []string{"/stocks", "/api/snapshot", "/api/stocks/AAPL", "/api/stocks/AAPL/bars"}

// withToken returns the URL and headers that carry tok from source:
// "bearer", "query" or "cookie".
func withToken(base, path, source, tok string) (string, http.Header) {
	h := http.Header{}
	switch source {
	case "bearer":
		h.Set("Authorization", "Bearer "+tok)
	case "query":
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "access_token=" + url.QueryEscape(tok)
	case "cookie":
		h.Set("Cookie", access.CookieName+"="+tok)
	}
	return base + path, h
}

func accessServer(t testing.TB, mode access.Mode, cfg stockhttp.Config) *testServer {
	t.Helper()
	cfg.Access = access.New(access.Config{Key: subKey, Anonymous: mode, Delay: 15 * time.Minute})
	s := startServer(t, cfg, inmem.Options{})
	publish(t, s.Broker, []stock.Quote{
		{Symbol: "AAPL", Price: stock.MustParsePrice("190.01")},
		{Symbol: "MSFT", Price: stock.MustParsePrice("420.01")},
		{Symbol: "GOOG", Price: stock.MustParsePrice("170.01")},
	})
	return s
}

// checkRefusal fails unless the answer is a JSON error with the status
// and a Bearer challenge.
func checkRefusal(t testing.TB, what string, status int, h http.Header, body string, want int) {
	t.Helper()
	var e struct{ Error string }
	if status != want || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
		t.Errorf("%s: %d %q, want %d with a JSON error", what, status, body, want)
		return
	}
	if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("%s: WWW-Authenticate %q, want Bearer", what, h.Get("WWW-Authenticate"))
	}
}

// TestEveryBadTokenIsRefusedOnEveryReadRoute sends each kind of bad token
// from each source to each read route of a server that serves anonymous
// callers: every one is 401, never read as anonymous.
func TestEveryBadTokenIsRefusedOnEveryReadRoute(t *testing.T) {
	s := accessServer(t, access.Live, stockhttp.Config{})
	want := map[string]int{}
	for _, bt := range accesstest.BadTokens(subKey, time.Now()) {
		for _, source := range []string{"bearer", "query", "cookie"} {
			if bt.Token == "" && source == "cookie" {
				continue // an empty cookie is a signed-out session, no token
			}
			for _, route := range readRoutes {
				u, h := withToken(s.URL, route, source, bt.Token)
				status, hdr, body := do(t, "GET", u, h, "")
				checkRefusal(t, fmt.Sprintf("%s from %s on %s", bt.Name, source, route), status, hdr, body, http.StatusUnauthorized)
				if strings.Contains(body, bt.Token) && len(bt.Token) > 8 {
					t.Errorf("%s: the answer quotes the token", bt.Name)
				}
				want[bt.Reason]++
			}
		}
	}
	for reason, n := range want {
		got := metric(t, s.URL, `stockstream_auth_refusals_total{reason="`+reason+`"}`)
		if got != fmt.Sprint(n) {
			t.Errorf("refusals %s: %s, want %d", reason, got, n)
		}
	}
}

// TestAnonymousNoneRefusesReadsOnly checks --anonymous none: every read
// route is 401 without a token and served with one; the page, health,
// metrics and the session stay public.
func TestAnonymousNoneRefusesReadsOnly(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "<html>page</html>") })
	s := accessServer(t, access.None, stockhttp.Config{App: page})
	for _, route := range readRoutes {
		status, h, body := do(t, "GET", s.URL+route, nil, "")
		checkRefusal(t, route+" without a token", status, h, body, http.StatusUnauthorized)
	}
	tok := accesstest.Token(subKey, time.Hour, "*")
	for _, route := range readRoutes[1:] {
		if status, _, body := do(t, "GET", s.URL+route, http.Header{"Authorization": {"Bearer " + tok}}, ""); status != 200 {
			t.Errorf("%s with a token: %d %s", route, status, body)
		}
	}
	_, r := openStream(t, s.URL+"/stocks?access_token="+tok, nil)
	if ev := readOpening(t, r); ev.Type != stock.EventSnapshot {
		t.Errorf("stream with a token opened with %q", ev.Type)
	}
	for _, route := range []string{"/", "/web/app.wasm", "/healthz", "/readyz", "/metrics", "/api/session"} {
		if status, _, body := do(t, "GET", s.URL+route, nil, ""); status != 200 {
			t.Errorf("%s under none: %d %s, want 200", route, status, body)
		}
	}
	if got := metric(t, s.URL, `stockstream_auth_refusals_total{reason="missing"}`); got != fmt.Sprint(len(readRoutes)) {
		t.Errorf("missing refusals: %s, want %d", got, len(readRoutes))
	}
}

func symbolsOf(ls []stock.Latest) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Symbol
	}
	return out
}

// TestTokenScope checks that a token for AAPL and MSFT reads only those,
// on every route and in every part of a stream.
func TestTokenScope(t *testing.T) {
	s := accessServer(t, access.None, stockhttp.Config{})
	tok := accesstest.Token(subKey, time.Hour, "AAPL", "msft")
	auth := http.Header{"Authorization": {"Bearer " + tok}}
	mine := []string{"AAPL", "MSFT"}

	t.Run("snapshot API", func(t *testing.T) {
		status, _, body := do(t, "GET", s.URL+"/api/snapshot", auth, "")
		var ls []stock.Latest
		if status != 200 || json.Unmarshal([]byte(body), &ls) != nil || !slices.Equal(symbolsOf(ls), mine) {
			t.Errorf("snapshot: %d %s, want AAPL and MSFT only", status, body)
		}
	})
	t.Run("symbol APIs", func(t *testing.T) {
		for _, p := range []string{"/api/stocks/AAPL", "/api/stocks/msft", "/api/stocks/AAPL/bars"} {
			if status, _, body := do(t, "GET", s.URL+p, auth, ""); status != 200 {
				t.Errorf("%s: %d %s", p, status, body)
			}
		}
		for _, p := range []string{"/api/stocks/GOOG", "/api/stocks/NEVERSEEN", "/api/stocks/GOOG/bars", "/api/stocks/NEVERSEEN/bars?interval=1h"} {
			status, h, body := do(t, "GET", s.URL+p, auth, "")
			checkRefusal(t, p, status, h, body, http.StatusForbidden)
		}
	})
	t.Run("stream filter outside the token", func(t *testing.T) {
		for _, q := range []string{"symbols=GOOG", "symbols=AAPL,GOOG", "symbols=NEVERSEEN", "symbols=aapl,neverseen&conflate=250ms"} {
			status, h, body := do(t, "GET", s.URL+"/stocks?"+q, auth, "")
			checkRefusal(t, q, status, h, body, http.StatusForbidden)
		}
	})
	t.Run("stream snapshot and live", func(t *testing.T) {
		_, r := openStream(t, s.URL+"/stocks", auth)
		ev := readOpening(t, r)
		var ls []stock.Latest
		if ev.Type != stock.EventSnapshot || json.Unmarshal([]byte(ev.Data), &ls) != nil || !slices.Equal(symbolsOf(ls), mine) {
			t.Fatalf("opening %s %s, want a snapshot of AAPL and MSFT", ev.Type, ev.Data)
		}
		publish(t, s.Broker, append(quotes("GOOG", 2), append(quotes("MSFT", 1), quotes("GOOG", 1)...)...))
		if got := updates(t, r, 1); got[0].Symbol != "MSFT" {
			t.Errorf("live: %s, want MSFT (GOOG is outside the token)", got[0].Symbol)
		}
	})
	t.Run("stream with a filter inside the token", func(t *testing.T) {
		_, r := openStream(t, s.URL+"/stocks?symbols=AAPL", auth)
		readOpening(t, r)
		publish(t, s.Broker, append(quotes("MSFT", 1), quotes("AAPL", 1)...))
		if got := updates(t, r, 1); got[0].Symbol != "AAPL" {
			t.Errorf("live: %s, want AAPL", got[0].Symbol)
		}
	})
	t.Run("stream replay", func(t *testing.T) {
		from := publish(t, s.Broker, quotes("AAPL", 1))[0].ID
		publish(t, s.Broker, append(quotes("GOOG", 3), append(quotes("AAPL", 1), quotes("MSFT", 1)...)...))
		_, r := openStream(t, s.URL+"/stocks", http.Header{"Authorization": {"Bearer " + tok}, "Last-Event-ID": {from}})
		got := updates(t, r, 2)
		if got[0].Symbol != "AAPL" || got[1].Symbol != "MSFT" {
			t.Errorf("replay: %s, %s; want AAPL, MSFT", got[0].Symbol, got[1].Symbol)
		}
	})
	t.Run("conflated stream", func(t *testing.T) {
		_, r := openStream(t, s.URL+"/stocks?conflate=10ms", auth)
		readOpening(t, r)
		publish(t, s.Broker, append(quotes("GOOG", 2), quotes("MSFT", 1)...))
		if got := updates(t, r, 1); got[0].Symbol != "MSFT" {
			t.Errorf("conflated: %s, want MSFT", got[0].Symbol)
		}
	})
	t.Run("a token for every symbol", func(t *testing.T) {
		all := http.Header{"Authorization": {"Bearer " + accesstest.Token(subKey, time.Hour, "*")}}
		for _, p := range []string{"/api/stocks/GOOG", "/stocks?symbols=GOOG"} {
			u := s.URL + p
			if p == "/stocks?symbols=GOOG" {
				_, r := openStream(t, u, all)
				readOpening(t, r)
				continue
			}
			if status, _, body := do(t, "GET", u, all, ""); status != 200 {
				t.Errorf("%s: %d %s", p, status, body)
			}
		}
	})
	if got := metric(t, s.URL, `stockstream_auth_refusals_total{reason="scope"}`); got != "8" {
		t.Errorf("scope refusals: %s, want 8", got)
	}
}

// recordingBroker records the requests it is asked to subscribe.
type recordingBroker struct {
	backend.Broker
	mu   sync.Mutex
	reqs []backend.SubscribeRequest
}

func (b *recordingBroker) Subscribe(ctx context.Context, req backend.SubscribeRequest) (backend.Opening, backend.Subscription, error) {
	b.mu.Lock()
	b.reqs = append(b.reqs, req)
	b.mu.Unlock()
	return b.Broker.Subscribe(ctx, req)
}

func (b *recordingBroker) last() backend.SubscribeRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.reqs[len(b.reqs)-1]
}

// TestStreamCarriesExpiryAndDelay checks what the stream passes on: a
// token's exp and symbols, the delayed tier's delay, and the subscriber
// gauge of each class.
func TestStreamCarriesExpiryAndDelay(t *testing.T) {
	rb := &recordingBroker{Broker: inmem.New(inmem.Options{History: 100})}
	defer rb.Broker.Close()
	s := startServer(t, stockhttp.Config{Broker: rb, Delayed: rb, // the request is what counts here
		Access: access.New(access.Config{Key: subKey, Anonymous: access.DelayedMode, Delay: 90 * time.Second})}, inmem.Options{})
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	tok, _ := access.Mint(subKey, []string{"MSFT", "AAPL"}, exp)

	_, r := openStream(t, s.URL+"/stocks?access_token="+tok, nil)
	readOpening(t, r)
	req := rb.last()
	if !req.Expires.Equal(exp) || req.Delay != 0 || !slices.Equal(req.Symbols, []string{"MSFT", "AAPL"}) {
		t.Errorf("token stream: %+v, want Expires %v, no delay, the token's symbols", req, exp)
	}
	_, r = openStream(t, s.URL+"/stocks?symbols=GOOG", nil)
	readOpening(t, r)
	if req := rb.last(); !req.Expires.IsZero() || req.Delay != 90*time.Second || !slices.Equal(req.Symbols, []string{"GOOG"}) {
		t.Errorf("delayed stream: %+v, want no expiry, delay 90s, GOOG", req)
	}
	for class, want := range map[string]string{"token": "1", "delayed": "1", "anonymous": "0"} {
		if got := metric(t, s.URL, `stockstream_subscribers{access="`+class+`"}`); got != want {
			t.Errorf("subscribers %s: %s, want %s", class, got, want)
		}
	}
}

// sessionJSON is GET /api/session's answer.
type sessionJSON struct {
	Symbols []string `json:"symbols"`
	Delay   float64  `json:"delay"`
	Exp     string   `json:"exp"`
	Error   string   `json:"error"`
}

func getSession(t testing.TB, base string, h http.Header) sessionJSON {
	t.Helper()
	status, _, body := do(t, "GET", base+"/api/session", h, "")
	var s sessionJSON
	if status != 200 || json.Unmarshal([]byte(body), &s) != nil {
		t.Fatalf("GET /api/session: %d %s", status, body)
	}
	return s
}

func TestSessionGetSaysWhatTheCallerMayRead(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	tok, _ := access.Mint(subKey, []string{"aapl"}, exp)
	for _, c := range []struct {
		name   string
		mode   access.Mode
		header http.Header
		want   sessionJSON
	}{
		{"live", access.Live, nil, sessionJSON{Symbols: []string{"*"}}},
		{"delayed", access.DelayedMode, nil, sessionJSON{Symbols: []string{"*"}, Delay: 900}},
		{"none", access.None, nil, sessionJSON{Symbols: []string{}}},
		{"token", access.DelayedMode, http.Header{"Authorization": {"Bearer " + tok}},
			sessionJSON{Symbols: []string{"AAPL"}, Exp: exp.UTC().Format(time.RFC3339)}},
		{"bad token", access.Live, http.Header{"Authorization": {"Bearer garbage"}},
			sessionJSON{Symbols: []string{}, Error: "invalid token: not a JWT"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, stockhttp.Config{Access: access.New(access.Config{Key: subKey, Anonymous: c.mode, Delay: 15 * time.Minute})}, inmem.Options{})
			if got := getSession(t, s.URL, c.header); !equalSession(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
	off := startServer(t, stockhttp.Config{}, inmem.Options{})
	if got := getSession(t, off.URL, http.Header{"Authorization": {"Bearer garbage"}}); !equalSession(got, sessionJSON{Symbols: []string{"*"}}) {
		t.Errorf("without --subscribe-key: %+v, want every symbol live", got)
	}
}

func equalSession(a, b sessionJSON) bool {
	return slices.Equal(a.Symbols, b.Symbols) && a.Symbols != nil && a.Delay == b.Delay && a.Exp == b.Exp && a.Error == b.Error
}

// sessionCookie returns the stockstream_token cookie of an answer.
func sessionCookie(t testing.TB, h http.Header) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == access.CookieName {
			return c
		}
	}
	return nil
}

// TestSessionCookieFlow signs in, reads with the cookie alone, and signs
// out.
func TestSessionCookieFlow(t *testing.T) {
	s := accessServer(t, access.None, stockhttp.Config{})
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	tok, _ := access.Mint(subKey, []string{"AAPL"}, exp)

	status, h, body := do(t, "POST", s.URL+"/api/session", http.Header{"Authorization": {"Bearer " + tok}}, "")
	var got sessionJSON
	if status != 200 || json.Unmarshal([]byte(body), &got) != nil || !equalSession(got, sessionJSON{Symbols: []string{"AAPL"}, Exp: exp.UTC().Format(time.RFC3339)}) {
		t.Fatalf("sign in: %d %s", status, body)
	}
	c := sessionCookie(t, h)
	if c == nil || c.Value != tok || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Fatalf("cookie %q: want the token, HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP", h.Values("Set-Cookie"))
	}
	if !c.Expires.Equal(exp) || c.MaxAge < 3590 || c.MaxAge > 3600 {
		t.Errorf("cookie expires %v, max-age %d; want %v, about 3600", c.Expires, c.MaxAge, exp)
	}

	withCookie := http.Header{"Cookie": {c.Name + "=" + c.Value}}
	if got := getSession(t, s.URL, withCookie); !slices.Equal(got.Symbols, []string{"AAPL"}) {
		t.Errorf("session with the cookie: %+v", got)
	}
	_, r := openStream(t, s.URL+"/stocks", withCookie)
	readOpening(t, r)
	status, hdr, body := do(t, "GET", s.URL+"/stocks?symbols=MSFT", withCookie, "")
	checkRefusal(t, "MSFT with an AAPL cookie", status, hdr, body, http.StatusForbidden)

	status, h, _ = do(t, "DELETE", s.URL+"/api/session", withCookie, "")
	if c := sessionCookie(t, h); status != http.StatusNoContent || c == nil || c.MaxAge >= 0 || c.Value != "" || !c.HttpOnly {
		t.Errorf("sign out: %d %q, want 204 and an expired cookie", status, h.Values("Set-Cookie"))
	}
}

func TestSessionPostRefusals(t *testing.T) {
	s := accessServer(t, access.Live, stockhttp.Config{})
	big := tokenOfLength(t, 4001, access.MaxTokenLen)
	for _, c := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"no token", nil, http.StatusUnauthorized},
		{"not bearer", http.Header{"Authorization": {"Basic dXNlcjpwdw=="}}, http.StatusUnauthorized},
		{"a token in the query is not a sign-in", http.Header{"Cookie": {access.CookieName + "=" + accesstest.Token(subKey, time.Hour, "*")}}, http.StatusUnauthorized},
		{"over 4,000 bytes", http.Header{"Authorization": {"Bearer " + big}}, http.StatusBadRequest},
	} {
		status, h, body := do(t, "POST", s.URL+"/api/session", c.header, "")
		if status != c.want || sessionCookie(t, h) != nil || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %s %q, want %d, no cookie", c.name, status, body, h.Values("Set-Cookie"), c.want)
		}
	}
	for _, bt := range accesstest.BadTokens(subKey, time.Now()) {
		status, h, body := do(t, "POST", s.URL+"/api/session", http.Header{"Authorization": {"Bearer " + bt.Token}}, "")
		want := http.StatusUnauthorized
		if len(bt.Token) > 4000 {
			want = http.StatusBadRequest
		}
		if status != want || sessionCookie(t, h) != nil {
			t.Errorf("%s: %d %s, want %d and no cookie", bt.Name, status, body, want)
		}
	}
	off := startServer(t, stockhttp.Config{}, inmem.Options{})
	if status, _, body := do(t, "POST", off.URL+"/api/session", http.Header{"Authorization": {"Bearer x"}}, ""); status != http.StatusNotFound {
		t.Errorf("sign-in without --subscribe-key: %d %s, want 404", status, body)
	}
}

// tokenOfLength mints a valid token between min and max bytes long.
func tokenOfLength(t testing.TB, min, max int) string {
	t.Helper()
	syms := []string{}
	for n := 0; n < 1000; n++ {
		syms = append(syms, fmt.Sprintf("S%d", n))
		tok, err := access.Mint(subKey, syms, time.Now().Add(time.Hour))
		if err == nil && len(tok) >= min && len(tok) <= max {
			return tok
		}
	}
	t.Fatalf("no token of %d to %d bytes", min, max)
	return ""
}

// TestSessionCookieSecureBehindTLS checks the cookie's Secure attribute
// over TLS (HTTP/2) and from a trusted proxy that says https.
func TestSessionCookieSecureBehindTLS(t *testing.T) {
	tok := accesstest.Token(subKey, time.Hour, "*")
	auth := func(h http.Header) http.Header { h.Set("Authorization", "Bearer "+tok); return h }
	proxies, _ := clientip.ParseProxies("127.0.0.0/8")
	s := startServer(t, stockhttp.Config{Access: access.New(access.Config{Key: subKey}), TrustedProxies: proxies}, inmem.Options{})
	_, h, _ := do(t, "POST", s.URL+"/api/session", auth(http.Header{"X-Forwarded-Proto": {"https"}}), "")
	if c := sessionCookie(t, h); c == nil || !c.Secure {
		t.Errorf("from a trusted proxy over https: %q, want Secure", h.Values("Set-Cookie"))
	}
	_, h, _ = do(t, "POST", s.URL+"/api/session", auth(http.Header{}), "")
	if c := sessionCookie(t, h); c == nil || c.Secure {
		t.Errorf("from a trusted proxy over http: %q, want no Secure", h.Values("Set-Cookie"))
	}
	untrusted := startServer(t, stockhttp.Config{Access: access.New(access.Config{Key: subKey})}, inmem.Options{})
	_, h, _ = do(t, "POST", untrusted.URL+"/api/session", auth(http.Header{"X-Forwarded-Proto": {"https"}}), "")
	if c := sessionCookie(t, h); c == nil || c.Secure {
		t.Errorf("an untrusted peer claiming https: %q, want no Secure", h.Values("Set-Cookie"))
	}

	tlsBase, tlsClient := startTLSServer(t, stockhttp.Config{Access: access.New(access.Config{Key: subKey})})
	req, _ := http.NewRequestWithContext(testCtx(t), "POST", tlsBase+"/api/session", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := tlsClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := sessionCookie(t, resp.Header); resp.ProtoMajor != 2 || c == nil || !c.Secure {
		t.Errorf("over TLS (%s): %q, want HTTP/2 and Secure", resp.Proto, resp.Header.Values("Set-Cookie"))
	}
}

// TestPerClientCapBehindProxies checks --max-conns-per-ip behind a trusted
// proxy: the right-most untrusted X-Forwarded-For hop is the client, a
// spoofed left-hand hop buys nothing, and a closed stream frees its slot.
func TestPerClientCapBehindProxies(t *testing.T) {
	proxies, _ := clientip.ParseProxies("127.0.0.1/32")
	s := startServer(t, stockhttp.Config{MaxStreamsPerIP: 1, TrustedProxies: proxies}, inmem.Options{})
	xff := func(v string) http.Header { return http.Header{"X-Forwarded-For": {v}} }

	resp, r := openStream(t, s.URL+"/stocks", xff("198.51.100.1"))
	readOpening(t, r)
	status, h, body := do(t, "GET", s.URL+"/stocks", xff("203.0.113.9, 198.51.100.1"), "")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, `"error"`) {
		t.Errorf("second stream of one client with a spoofed hop: %d %q, want 429 with Retry-After", status, body)
	}
	_, r2 := openStream(t, s.URL+"/stocks", xff("198.51.100.2"))
	readOpening(t, r2)
	_, r3 := openStream(t, s.URL+"/stocks", xff("2001:db8:1:2::1"))
	readOpening(t, r3)
	if status, _, _ := do(t, "GET", s.URL+"/stocks", xff("[2001:db8:1:2::ffff]:443"), ""); status != http.StatusTooManyRequests {
		t.Errorf("another address of the same /64: %d, want 429", status)
	}
	for _, p := range []string{"/healthz", "/metrics", "/api/snapshot"} {
		if status, _, _ := do(t, "GET", s.URL+p, xff("198.51.100.1"), ""); status != 200 {
			t.Errorf("%s from a client at its cap: %d, want 200", p, status)
		}
	}
	if got := metric(t, s.URL, `stockstream_auth_refusals_total{reason="cap"}`); got != "2" {
		t.Errorf("cap refusals: %s, want 2", got)
	}

	resp.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status := streamStatus(t, s.URL+"/stocks", xff("198.51.100.1"))
		if status == http.StatusTooManyRequests && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // poll interval while the server notices the close
			continue
		}
		if status != 200 {
			t.Errorf("after closing its stream: %d, want 200", status)
		}
		break
	}
}

// streamStatus opens a stream and returns its status, closing it at once.
func streamStatus(t testing.TB, url string, h http.Header) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(testCtx(t), "GET", url, nil)
	req.Header = h
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestPerClientCapIgnoresUntrustedForwarding checks that without trusted
// proxies X-Forwarded-For buys nothing: every stream counts for the peer.
func TestPerClientCapIgnoresUntrustedForwarding(t *testing.T) {
	s := startServer(t, stockhttp.Config{MaxStreamsPerIP: 1}, inmem.Options{})
	_, r := openStream(t, s.URL+"/stocks", http.Header{"X-Forwarded-For": {"198.51.100.1"}})
	readOpening(t, r)
	if status, _, _ := do(t, "GET", s.URL+"/stocks", http.Header{"X-Forwarded-For": {"198.51.100.2"}}, ""); status != http.StatusTooManyRequests {
		t.Errorf("second stream from one peer claiming another address: %d, want 429", status)
	}
}

func TestCORSGrantsCredentialsOnlyToAllowedOrigins(t *testing.T) {
	s := accessServer(t, access.Live, stockhttp.Config{CORSOrigins: []string{"https://app.example"}})
	_, h, _ := do(t, "GET", s.URL+"/api/session", http.Header{"Origin": {"https://app.example"}}, "")
	if h.Get("Access-Control-Allow-Origin") != "https://app.example" || h.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("allowed origin: %v", h)
	}
	_, h, _ = do(t, "GET", s.URL+"/api/session", http.Header{"Origin": {"https://evil.example"}}, "")
	if h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("other origin got CORS headers: %v", h)
	}
	status, h, _ := do(t, "OPTIONS", s.URL+"/api/session", http.Header{"Origin": {"https://app.example"}, "Access-Control-Request-Method": {"DELETE"}}, "")
	if status != http.StatusNoContent || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "DELETE") || h.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("preflight of sign-out: %d %v", status, h)
	}
}

// TestNoTokenOrKeyInLogs logs at debug level through good and bad reads
// and sign-ins, and finds neither a token nor the key in the log.
func TestNoTokenOrKeyInLogs(t *testing.T) {
	var buf safeBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := startServer(t, stockhttp.Config{Logger: log, Access: access.New(access.Config{Key: subKey, Anonymous: access.None})}, inmem.Options{})
	good := accesstest.Token(subKey, time.Hour, "AAPL")
	toks := []string{good}
	for _, bt := range accesstest.BadTokens(subKey, time.Now()) {
		if len(bt.Token) > 8 {
			toks = append(toks, bt.Token)
		}
	}
	for _, tok := range toks {
		for _, source := range []string{"bearer", "query", "cookie"} {
			for _, route := range []string{"/stocks?symbols=MSFT", "/api/stocks/MSFT", "/api/snapshot"} {
				u, h := withToken(s.URL, route, source, tok)
				do(t, "GET", u, h, "")
			}
		}
		do(t, "POST", s.URL+"/api/session", http.Header{"Authorization": {"Bearer " + tok}}, "")
	}
	_, r := openStream(t, s.URL+"/stocks?access_token="+good, nil)
	readOpening(t, r)
	logged := buf.String()
	if !strings.Contains(logged, "read refused") {
		t.Fatalf("no refusal was logged:\n%s", logged)
	}
	for _, secret := range append(toks, string(subKey)) {
		if strings.Contains(logged, secret) || strings.Contains(logged, url.QueryEscape(secret)) {
			t.Fatalf("the log holds a token or the key:\n%s", logged)
		}
	}
}

// safeBuffer is a bytes.Buffer for a logger shared by goroutines.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startTLSServer serves a server's handler over TLS with HTTP/2 and
// returns its URL and a client that trusts it.
func startTLSServer(t testing.TB, cfg stockhttp.Config) (string, *http.Client) {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	b := inmem.New(inmem.Options{History: 100})
	t.Cleanup(func() { b.Close() })
	cfg.Broker = b
	ts := httptest.NewUnstartedServer(stockhttp.New(cfg).Handler())
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts.URL, ts.Client()
}
