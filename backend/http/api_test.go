package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/stock"
)

var jsonAuth = http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}

func TestPublishArrayAndReadBack(t *testing.T) {
	s := startServer(t, stockhttp.Config{PublishToken: token}, inmem.Options{})
	status, _, body := do(t, "POST", s.URL+"/api/prices", jsonAuth,
		`[{"symbol":"msft","price":420.5},{"symbol":"AAPL","price":1.1888e2},{"symbol":"MSFT","price":421}]`)
	var evs []stock.StockPriceEvent
	if status != http.StatusAccepted || json.Unmarshal([]byte(body), &evs) != nil || len(evs) != 3 {
		t.Fatalf("publish: %d %s", status, body)
	}
	if evs[0].Symbol != "MSFT" || evs[1].Price.String() != "118.88" || evs[0].ID >= evs[1].ID || evs[1].ID >= evs[2].ID {
		t.Fatalf("assigned %+v", evs)
	}
	status, _, body = do(t, "GET", s.URL+"/api/stocks/msft", nil, "")
	if status != http.StatusOK || !strings.Contains(body, `"price":421,`) || !strings.Contains(body, `"id":"`+evs[2].ID+`"`) {
		t.Fatalf("latest MSFT: %d %s", status, body)
	}
	status, _, body = do(t, "GET", s.URL+"/api/snapshot", nil, "")
	if status != http.StatusOK || json.Unmarshal([]byte(body), &evs) != nil || len(evs) != 2 || evs[0].Symbol != "AAPL" {
		t.Fatalf("snapshot: %d %s", status, body)
	}
}

func TestEmptySnapshotIsAnArray(t *testing.T) {
	s := startServer(t, stockhttp.Config{}, inmem.Options{})
	if status, _, body := do(t, "GET", s.URL+"/api/snapshot", nil, ""); status != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("empty snapshot: %d %s", status, body)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	s := startServer(t, stockhttp.Config{}, inmem.Options{})
	for _, p := range []string{"/healthz", "/readyz"} {
		if status, _, body := do(t, "GET", s.URL+p, nil, ""); status != 200 {
			t.Errorf("%s: %d %s", p, status, body)
		}
	}
	s.Broker.Close()
	if status, _, body := do(t, "GET", s.URL+"/readyz", nil, ""); status != http.StatusServiceUnavailable || !strings.Contains(body, `"error"`) {
		t.Errorf("readyz with a closed broker: %d %s", status, body)
	}
}

// TestBadInputGetsClearJSONError sends every kind of bad input the contract
// names; each must get the given 4xx with a JSON error, never a 500.
func TestBadInputGetsClearJSONError(t *testing.T) {
	s := startServer(t, stockhttp.Config{PublishToken: token}, inmem.Options{})
	off := startServer(t, stockhttp.Config{}, inmem.Options{})
	big := `[` + strings.Repeat(`{"symbol":"AAPL","price":1},`, 40000) + `{"symbol":"AAPL","price":1}]`
	many := `[` + strings.Repeat(`{"symbol":"A","price":1},`, 5000) + `{"symbol":"A","price":1}]`
	ct := func(v string) http.Header {
		return http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {v}}
	}
	cases := []struct {
		name, method, url string
		header            http.Header
		body              string
		status            int
	}{
		{"bad symbol in filter", "GET", "/stocks?symbols=AAPL,%0Aevent:x", nil, "", 400},
		{"empty item in filter", "GET", "/stocks?symbols=AAPL,,MSFT", nil, "", 400},
		{"only empty items in filter", "GET", "/stocks?symbols=,,", nil, "", 400},
		{"empty filter", "GET", "/stocks?symbols=", nil, "", 400},
		{"too many symbols", "GET", "/stocks?symbols=" + strings.Repeat("A,", 200) + "B", nil, "", 400},
		{"long symbol in filter", "GET", "/stocks?symbols=" + strings.Repeat("A", 5000), nil, "", 400},
		{"non-ASCII in filter: long s", "GET", "/stocks?symbols=a%C5%BF", nil, "", 400},
		{"non-ASCII in filter: dotless i", "GET", "/stocks?symbols=MSFT,%C4%B1bm", nil, "", 400},
		{"non-ASCII in filter: Kelvin sign", "GET", "/stocks?symbols=%E2%84%AA", nil, "", 400},
		{"non-ASCII in filter: no-break space", "GET", "/stocks?symbols=%C2%A0AAPL", nil, "", 400},
		{"bad symbol path", "GET", "/api/stocks/AA%20PL", nil, "", 400},
		{"symbol path: long s", "GET", "/api/stocks/a%C5%BF", nil, "", 400},
		{"symbol path: dotless i", "GET", "/api/stocks/%C4%B1bm", nil, "", 400},
		{"symbol path: Kelvin sign", "GET", "/api/stocks/%E2%84%AA", nil, "", 400},
		{"symbol path: fullwidth", "GET", "/api/stocks/%EF%BC%A1APL", nil, "", 400},
		{"symbol path: invalid UTF-8", "GET", "/api/stocks/A%FF", nil, "", 400},
		{"symbol path: NUL", "GET", "/api/stocks/A%00", nil, "", 400},
		{"symbol path: too long", "GET", "/api/stocks/" + strings.Repeat("A", 13), nil, "", 400},
		{"symbol path: huge", "GET", "/api/stocks/" + strings.Repeat("A", 8000), nil, "", 400},
		{"bars path: long s", "GET", "/api/stocks/a%C5%BF/bars", nil, "", 400},
		{"bars path: dotless i", "GET", "/api/stocks/%C4%B1bm/bars", nil, "", 400},
		{"bars path: Kelvin sign", "GET", "/api/stocks/%E2%84%AA/bars", nil, "", 400},
		{"unknown symbol", "GET", "/api/stocks/NOPE", nil, "", 404},
		{"unknown api path", "GET", "/api/nothing", nil, "", 404},
		{"wrong method", "DELETE", "/api/prices", nil, "", 405},
		{"bars of unknown symbol", "GET", "/api/stocks/NOPE/bars", nil, "", 404},
		{"bars of bad symbol", "GET", "/api/stocks/A%0AB/bars", nil, "", 400},
		{"bars interval unknown", "GET", "/api/stocks/AAPL/bars?interval=2m", nil, "", 400},
		{"bars interval empty", "GET", "/api/stocks/AAPL/bars?interval=", nil, "", 400},
		{"bars interval case", "GET", "/api/stocks/AAPL/bars?interval=1H", nil, "", 400},
		{"bars interval repeated", "GET", "/api/stocks/AAPL/bars?interval=1m&interval=1m", nil, "", 400},
		{"bars interval hostile", "GET", "/api/stocks/AAPL/bars?interval=" + strings.Repeat("%00%0A", 2000), nil, "", 400},
		{"bars limit zero", "GET", "/api/stocks/AAPL/bars?limit=0", nil, "", 400},
		{"bars limit negative", "GET", "/api/stocks/AAPL/bars?limit=-1", nil, "", 400},
		{"bars limit plus", "GET", "/api/stocks/AAPL/bars?limit=%2B5", nil, "", 400},
		{"bars limit over 1440", "GET", "/api/stocks/AAPL/bars?limit=1441", nil, "", 400},
		{"bars limit huge", "GET", "/api/stocks/AAPL/bars?limit=99999999999999999999999", nil, "", 400},
		{"bars limit fraction", "GET", "/api/stocks/AAPL/bars?limit=1.5", nil, "", 400},
		{"bars limit spaces", "GET", "/api/stocks/AAPL/bars?limit=%205", nil, "", 400},
		{"bars limit empty", "GET", "/api/stocks/AAPL/bars?limit=", nil, "", 400},
		{"bars limit repeated", "GET", "/api/stocks/AAPL/bars?limit=5&limit=6", nil, "", 400},
		{"bars malformed query", "GET", "/api/stocks/AAPL/bars?limit=%zz", nil, "", 400},
		{"conflate too short", "GET", "/stocks?conflate=9ms", nil, "", 400},
		{"conflate too long", "GET", "/stocks?conflate=61s", nil, "", 400},
		{"conflate zero", "GET", "/stocks?conflate=0", nil, "", 400},
		{"conflate negative", "GET", "/stocks?conflate=-250ms", nil, "", 400},
		{"conflate no unit", "GET", "/stocks?conflate=250", nil, "", 400},
		{"conflate empty", "GET", "/stocks?conflate=", nil, "", 400},
		{"conflate huge", "GET", "/stocks?conflate=99999999999999999999h", nil, "", 400},
		{"conflate repeated", "GET", "/stocks?conflate=1s&conflate=1s", nil, "", 400},
		{"conflate hostile", "GET", "/stocks?conflate=%0Aevent:x", nil, "", 400},
		{"publishing disabled", "POST", "OFF/api/prices", jsonAuth, `{"symbol":"AAPL","price":1}`, 403},
		{"no token", "POST", "/api/prices", http.Header{"Content-Type": {"application/json"}}, `{"symbol":"AAPL","price":1}`, 401},
		{"wrong token", "POST", "/api/prices", http.Header{"Authorization": {"Bearer nope"}}, `{"symbol":"AAPL","price":1}`, 401},
		{"basic auth", "POST", "/api/prices", http.Header{"Authorization": {"Basic " + token}}, `{"symbol":"AAPL","price":1}`, 401},
		{"wrong content type", "POST", "/api/prices", ct("text/plain"), `{"symbol":"AAPL","price":1}`, 415},
		{"form content type", "POST", "/api/prices", ct("application/x-www-form-urlencoded"), `symbol=AAPL`, 415},
		{"malformed content type", "POST", "/api/prices", ct(";;;"), `{}`, 415},
		{"empty body", "POST", "/api/prices", jsonAuth, ``, 400},
		{"not json", "POST", "/api/prices", jsonAuth, `hello`, 400},
		{"truncated", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1`, 400},
		{"trailing data", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1} {"x":1}`, 400},
		{"empty array", "POST", "/api/prices", jsonAuth, `[]`, 400},
		{"number body", "POST", "/api/prices", jsonAuth, `42`, 400},
		{"unknown field", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1,"volume":5}`, 400},
		{"missing price", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL"}`, 400},
		{"missing symbol", "POST", "/api/prices", jsonAuth, `{"price":1}`, 400},
		{"price as string", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":"1"}`, 400},
		{"negative price", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":-1}`, 400},
		{"zero price", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":0}`, 400},
		{"NaN price", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":NaN}`, 400},
		{"huge price", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1e300}`, 400},
		{"too precise", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1.0000001}`, 400},
		{"null price", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":null}`, 400},
		{"symbol newline", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL\nevent: evil","price":1}`, 400},
		{"symbol number", "POST", "/api/prices", jsonAuth, `{"symbol":7,"price":1}`, 400},
		{"symbol long s", "POST", "/api/prices", jsonAuth, `{"symbol":"a\u017f","price":1}`, 400},
		{"symbol long s raw", "POST", "/api/prices", jsonAuth, "{\"symbol\":\"a\u017f\",\"price\":1}", 400},
		{"symbol dotless i", "POST", "/api/prices", jsonAuth, `{"symbol":"\u0131bm","price":1}`, 400},
		{"symbol Kelvin sign", "POST", "/api/prices", jsonAuth, `{"symbol":"\u212a","price":1}`, 400},
		{"symbol zero-width", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL\u200b","price":1}`, 400},
		{"symbol invalid UTF-8", "POST", "/api/prices", jsonAuth, "{\"symbol\":\"A\xff\",\"price\":1}", 400},
		{"symbol NUL", "POST", "/api/prices", jsonAuth, `{"symbol":"A\u0000","price":1}`, 400},
		{"symbol too long", "POST", "/api/prices", jsonAuth, `{"symbol":"ABCDEFGHIJKLM","price":1}`, 400},
		{"symbol huge", "POST", "/api/prices", jsonAuth, `{"symbol":"` + strings.Repeat("A", 500000) + `","price":1}`, 400},
		{"one bad symbol in a batch", "POST", "/api/prices", jsonAuth, `[{"symbol":"AAPL","price":1},{"symbol":"\u0131bm","price":1}]`, 400},
		{"bad timestamp", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1,"timestamp":"yesterday"}`, 400},
		{"future timestamp", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1,"timestamp":"2999-01-01T00:00:00Z"}`, 400},
		{"timestamp an hour ahead", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1,"timestamp":"` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`, 400},
		{"timestamp 2 minutes ahead", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1,"timestamp":"` + time.Now().Add(2*time.Minute).UTC().Format(time.RFC3339) + `"}`, 400},
		{"timestamp in a far year", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1,"timestamp":"9999-12-31T23:59:59Z"}`, 400},
		{"timestamp just before 1970", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1,"timestamp":"1969-12-31T23:59:59.999Z"}`, 400},
		{"ancient timestamp", "POST", "/api/prices", jsonAuth, `{"symbol":"AAPL","price":1,"timestamp":"1900-01-01T00:00:00Z"}`, 400},
		{"bad item in array", "POST", "/api/prices", jsonAuth, `[{"symbol":"AAPL","price":1},{"symbol":"","price":1}]`, 400},
		{"nested arrays", "POST", "/api/prices", jsonAuth, `[[{"symbol":"AAPL","price":1}]]`, 400},
		{"too many events", "POST", "/api/prices", jsonAuth, many, 413},
		{"body over 1 MiB", "POST", "/api/prices", jsonAuth, big, 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := s.URL
			if u, ok := strings.CutPrefix(c.url, "OFF"); ok {
				base, c.url = off.URL, u
			}
			status, h, body := do(t, c.method, base+c.url, c.header, c.body)
			var e struct{ Error string }
			if status != c.status || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
				t.Fatalf("got %d %s, want %d with a JSON error", status, body, c.status)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Fatalf("content type %q", h.Get("Content-Type"))
			}
			if status == 401 && h.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}
	// Nothing of the above was published.
	if status, _, body := do(t, "GET", s.URL+"/api/snapshot", nil, ""); status != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("bad input was published: %s", body)
	}
}

func TestCORSAllowlist(t *testing.T) {
	const good, evil = "https://app.example.com", "https://evil.example.com"
	s := startServer(t, stockhttp.Config{CORSOrigins: []string{good}, PublishToken: token}, inmem.Options{})
	_, h, _ := do(t, "GET", s.URL+"/api/snapshot", http.Header{"Origin": {good}}, "")
	if h.Get("Access-Control-Allow-Origin") != good || !strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
		t.Fatalf("allowed origin got %v", h)
	}
	if _, ok := h["Access-Control-Allow-Credentials"]; ok {
		t.Fatalf("Access-Control-Allow-Credentials sent, but nothing uses credentials: %v", h)
	}
	_, h, _ = do(t, "GET", s.URL+"/api/snapshot", http.Header{"Origin": {evil}}, "")
	if h.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("other origin got Access-Control-Allow-Origin %q", h.Get("Access-Control-Allow-Origin"))
	}
	pre := func(origin string) http.Header {
		return http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"authorization,content-type"}}
	}
	status, h, _ := do(t, "OPTIONS", s.URL+"/api/prices", pre(good), "")
	if status != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != good || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight from allowed origin: %d %v", status, h)
	}
	if _, ok := h["Access-Control-Allow-Credentials"]; ok {
		t.Fatalf("preflight grants credentials: %v", h)
	}
	if status, _, body := do(t, "OPTIONS", s.URL+"/stocks", pre(evil), ""); status != http.StatusForbidden || !strings.Contains(body, "--cors-origins") {
		t.Fatalf("preflight from other origin: %d %s", status, body)
	}
	// Stream too.
	resp, _ := openStream(t, s.URL+"/stocks", http.Header{"Origin": {good}})
	if resp.Header.Get("Access-Control-Allow-Origin") != good || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("stream CORS headers for the allowed origin: %v", resp.Header)
	}
}

func TestAppServesEverythingElse(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("app:" + r.URL.Path)) })
	s := startServer(t, stockhttp.Config{App: app}, inmem.Options{})
	for _, p := range []string{"/", "/web/app.wasm", "/manifest.webmanifest", "/app-worker.js"} {
		if status, _, body := do(t, "GET", s.URL+p, nil, ""); status != 200 || body != "app:"+p {
			t.Errorf("GET %s: %d %q", p, status, body)
		}
	}
	if status, _, _ := do(t, "GET", s.URL+"/api/nope", nil, ""); status != 404 {
		t.Errorf("unknown API path went to the app: %d", status)
	}
}
