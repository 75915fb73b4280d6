package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/stock"
)

// keyed returns the publish headers with an Idempotency-Key.
func keyed(key ...string) http.Header {
	h := jsonAuth.Clone()
	h["Idempotency-Key"] = key
	return h
}

func TestIdempotencyKeyRepeatAnswersTheFirst(t *testing.T) {
	s := startServer(t, stockhttp.Config{PublishToken: token}, inmem.Options{})
	body := `[{"symbol":"AAPL","price":1.5},{"symbol":"MSFT","price":2}]`
	status, _, first := do(t, "POST", s.URL+"/api/prices", keyed("batch 1/3"), body)
	if status != http.StatusAccepted {
		t.Fatalf("first publish: %d %s", status, first)
	}
	status, _, again := do(t, "POST", s.URL+"/api/prices", keyed("batch 1/3"), body)
	if status != http.StatusAccepted || again != first {
		t.Fatalf("repeat: %d %s, want 202 %s", status, again, first)
	}
	status, _, other := do(t, "POST", s.URL+"/api/prices", keyed("batch 1/3"), `{"symbol":"AAPL","price":3}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(other, "already used") {
		t.Fatalf("other quotes under a used key: %d %s, want 422", status, other)
	}
	var evs []stock.StockPriceEvent
	json.Unmarshal([]byte(first), &evs)
	_, _, latest := do(t, "GET", s.URL+"/api/stocks/AAPL", nil, "")
	if !strings.Contains(latest, `"id":"`+evs[0].ID+`"`) {
		t.Fatalf("latest AAPL %s, want the first publish's %s: a repeat must publish nothing", latest, evs[0].ID)
	}
	if status, _, _ := do(t, "POST", s.URL+"/api/prices", keyed("batch 2/3"), body); status != http.StatusAccepted {
		t.Fatalf("a new key: %d", status)
	}
}

func TestIdempotencyKeyMalformedIs400(t *testing.T) {
	s := startServer(t, stockhttp.Config{PublishToken: token}, inmem.Options{})
	for name, key := range map[string][]string{
		"empty":     {""},
		"spaces":    {"   "},
		"too long":  {strings.Repeat("k", 129)},
		"tab":       {"a\tb"},
		"non-ASCII": {"clé"},
		"twice":     {"a", "b"},
	} {
		t.Run(name, func(t *testing.T) {
			status, _, body := do(t, "POST", s.URL+"/api/prices", keyed(key...), `{"symbol":"AAPL","price":1}`)
			var e struct{ Error string }
			if status != http.StatusBadRequest || json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, "Idempotency-Key") {
				t.Fatalf("key %q: %d %s, want 400 naming Idempotency-Key", key, status, body)
			}
		})
	}
	if status, _, body := do(t, "POST", s.URL+"/api/prices", keyed(strings.Repeat("~", 128)), `{"symbol":"AAPL","price":1}`); status != http.StatusAccepted {
		t.Fatalf("a 128-character key: %d %s", status, body)
	}
	if _, _, body := do(t, "GET", s.URL+"/api/snapshot", nil, ""); strings.Count(body, `"symbol"`) != 1 {
		t.Fatalf("snapshot %s: only the well-keyed publish may be in it", body)
	}
}

func TestPublishPastMaxSymbolsIs422(t *testing.T) {
	s := startServer(t, stockhttp.Config{PublishToken: token}, inmem.Options{MaxSymbols: 2})
	if status, _, body := do(t, "POST", s.URL+"/api/prices", jsonAuth, `{"symbol":"A","price":1}`); status != http.StatusAccepted {
		t.Fatalf("first symbol: %d %s", status, body)
	}
	status, _, body := do(t, "POST", s.URL+"/api/prices", jsonAuth, `[{"symbol":"A","price":2},{"symbol":"B","price":1},{"symbol":"C","price":1}]`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "too many symbols") {
		t.Fatalf("past the cap: %d %s, want 422", status, body)
	}
	if _, _, latest := do(t, "GET", s.URL+"/api/stocks/A", nil, ""); !strings.Contains(latest, `"price":1,`) {
		t.Fatalf("latest A %s: a refused publish must publish nothing", latest)
	}
}

func TestPreflightAllowsIdempotencyKey(t *testing.T) {
	const origin = "https://app.example"
	s := startServer(t, stockhttp.Config{PublishToken: token, CORSOrigins: []string{origin}}, inmem.Options{})
	_, h, _ := do(t, "OPTIONS", s.URL+"/api/prices", http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"POST"}}, "")
	if !strings.Contains(h.Get("Access-Control-Allow-Headers"), "Idempotency-Key") {
		t.Fatalf("preflight allows %q, want Idempotency-Key among them", h.Get("Access-Control-Allow-Headers"))
	}
}

// FuzzPublishRequest feeds a publish body and an Idempotency-Key to the
// parsers of POST /api/prices: an accepted key is 1 to 128 printable ASCII
// bytes, an accepted body only valid quotes.
func FuzzPublishRequest(f *testing.F) {
	for _, s := range []struct{ body, key string }{
		{`{"symbol":"AAPL","price":118.88}`, "batch-1"},
		{`[{"symbol":"aapl","price":1e2,"timestamp":"2025-06-16T05:31:12.5838771Z"}]`, strings.Repeat("~", 128)},
		{`[{"symbol":"A\u0000B","price":1}]`, "a\x7fb"},
		{`{"symbol":"AAPL","price":1,"price":2}`, " "},
		{`[{},{}]`, "ключ"},
	} {
		f.Add([]byte(s.body), s.key)
	}
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		if k, err := stockhttp.ParseIdempotencyKey([]string{key}); err == nil {
			if k != key || len(k) == 0 || len(k) > stockhttp.MaxKeyLen {
				t.Fatalf("accepted key %q as %q", key, k)
			}
			for i := range len(k) {
				if k[i] < ' ' || k[i] > '~' {
					t.Fatalf("accepted key %q with byte %#02x", k, k[i])
				}
			}
		}
		quotes, err := stockhttp.DecodeQuotes(body, 100)
		if err != nil {
			return
		}
		for _, q := range quotes {
			if err := q.Validate(); err != nil {
				t.Fatalf("accepted an invalid quote %+v: %v", q, err)
			}
		}
	})
}
