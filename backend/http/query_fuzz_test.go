package http

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/shared/stock"
)

// FuzzStreamQuery feeds hostile query strings and Last-Event-ID headers to
// the stream's request parser: it must either refuse them or return symbols
// that are valid and an id no longer than the limit.
func FuzzStreamQuery(f *testing.F) {
	f.Add("symbols=AAPL,msft&lastEventId=42", "7")
	f.Add("symbols=%0Aevent:x", "")
	f.Add("symbols=&symbols=A,,B", "\x00")
	f.Add("lastEventId="+strings.Repeat("9", 100), "-1")
	f.Add("conflate=250ms&symbols=AAPL", "")
	f.Add("conflate=1.5s&conflate=2s", "")
	f.Add("conflate=10.9ms", "")
	s := New(Config{Broker: nil})
	f.Fuzz(func(t *testing.T, query, lastID string) {
		r := httptest.NewRequest("GET", "/stocks", nil)
		r.URL.RawQuery = query
		r.Header["Last-Event-Id"] = []string{lastID}
		req, err := s.parseStreamRequest(r, access.Grant{})
		if err != nil {
			return
		}
		if len(req.Symbols) > s.cfg.MaxSymbols || len(req.LastEventID) > maxLastEventID {
			t.Fatalf("accepted %d symbols, id of %d bytes", len(req.Symbols), len(req.LastEventID))
		}
		if req.Conflate != 0 && (req.Conflate < minConflate || req.Conflate > maxConflate || req.Conflate%time.Millisecond != 0) {
			t.Fatalf("accepted conflate %v", req.Conflate)
		}
		for _, sym := range req.Symbols {
			if got, err := stock.ParseSymbol(sym); err != nil || got != sym {
				t.Fatalf("accepted symbol %q", sym)
			}
		}
		if lastID == "" {
			if q, _ := url.ParseQuery(query); len(q.Get("lastEventId")) <= maxLastEventID && req.LastEventID != q.Get("lastEventId") {
				t.Fatalf("lastEventId %q parsed as %q", q.Get("lastEventId"), req.LastEventID)
			}
		}
	})
}

// FuzzBarsQuery feeds hostile query strings to the bars query parser: it
// must refuse them or return a served interval and a limit from 1 to 1440,
// the defaults for absent parameters.
func FuzzBarsQuery(f *testing.F) {
	for _, q := range []string{"", "interval=5m&limit=12", "limit=1440", "limit=+1", "limit=0x10",
		"interval=1h&interval=1h", "limit=%zz", "limit=99999999999999999999", "interval=%001m"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseBarsQuery(raw)
		if err != nil {
			if statusOf(err) != http.StatusBadRequest {
				t.Fatalf("refused %q with status %d, want 400", raw, statusOf(err))
			}
			return
		}
		if q.limit < 1 || q.limit > maxBars {
			t.Fatalf("accepted limit %d from %q", q.limit, raw)
		}
		if !slices.Contains(slices.Collect(maps.Values(barIntervals)), q.interval) {
			t.Fatalf("accepted interval %v from %q", q.interval, raw)
		}
		vals, _ := url.ParseQuery(raw)
		if !vals.Has("limit") && q.limit != defaultBars || !vals.Has("interval") && q.interval != time.Minute {
			t.Fatalf("%q: limit %d interval %v, want the defaults for absent parameters", raw, q.limit, q.interval)
		}
	})
}
