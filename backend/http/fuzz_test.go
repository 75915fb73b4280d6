package http_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/stock"
)

func FuzzDecodeQuotes(f *testing.F) {
	for _, s := range []string{
		`{"symbol":"AAPL","price":118.88}`,
		`[{"symbol":"aapl","price":1e2,"timestamp":"2025-06-16T05:31:12.5838771Z"}]`,
		`[]`, `{"symbol":"A\nB","price":1}`, `{"price":"1"}`, `[{},{}]`, `nul`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		quotes, err := stockhttp.DecodeQuotes(body, 100)
		if err != nil {
			return
		}
		if len(quotes) == 0 || len(quotes) > 100 {
			t.Fatalf("accepted %d quotes", len(quotes))
		}
		for _, q := range quotes {
			if err := q.Validate(); err != nil {
				t.Fatalf("accepted an invalid quote %+v: %v", q, err)
			}
			if _, err := json.Marshal(q); err != nil {
				t.Fatalf("accepted quote does not encode: %v", err)
			}
		}
	})
}

// FuzzPublishBody posts hostile bodies to POST /api/prices through the
// whole handler: every answer is a 202 or a 4xx with a JSON error, never a
// 500; what a 202 publishes is valid: ASCII upper-case symbols, positive
// prices and timestamps from 1970 to a minute ahead of the clock.
func FuzzPublishBody(f *testing.F) {
	for _, s := range []string{
		`{"symbol":"AAPL","price":118.88}`,
		`[{"symbol":"aapl","price":1e2,"timestamp":"2025-06-16T05:31:12.5838771Z"}]`,
		`{"symbol":"a\u017f","price":1}`, "{\"symbol\":\"\u0131bm\",\"price\":1}", `{"symbol":"\u212a","price":1}`,
		`{"symbol":"AAPL","price":1,"timestamp":"2999-01-01T00:00:00Z"}`, `{"symbol":"AAPL","price":1,"timestamp":"1969-12-31T23:59:59Z"}`,
		`{"SYMBOL":"x","Price":1}`, `{"symbol":"A","symbol":"\u00c4","price":1}`, `[{},{}]`, `[]`, `nul`, "\xff",
	} {
		f.Add([]byte(s))
	}
	b := inmem.New(inmem.Options{History: 10})
	defer b.Close()
	h := stockhttp.New(stockhttp.Config{Broker: b, PublishToken: "t", MaxBatch: 50, MaxBody: 64 << 10, Logger: slog.New(slog.DiscardHandler)}).Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/api/prices", bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer t")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusAccepted {
			var e struct{ Error string }
			if w.Code < 400 || w.Code >= 500 || json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error == "" {
				t.Fatalf("answered %d %q", w.Code, w.Body)
			}
			return
		}
		var evs []stock.StockPriceEvent
		if err := json.Unmarshal(w.Body.Bytes(), &evs); err != nil || len(evs) == 0 || len(evs) > 50 {
			t.Fatalf("202 with %q: %v", w.Body, err)
		}
		for _, ev := range evs {
			for i := range len(ev.Symbol) {
				if c := ev.Symbol[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
					t.Fatalf("published symbol %q", ev.Symbol)
				}
			}
			if ev.Price.Micros() <= 0 || ev.Timestamp.Before(time.Unix(0, 0)) || ev.Timestamp.After(time.Now().Add(time.Minute)) {
				t.Fatalf("published %+v", ev)
			}
		}
	})
}
