package http

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

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
	s := New(Config{Broker: nil})
	f.Fuzz(func(t *testing.T, query, lastID string) {
		r := httptest.NewRequest("GET", "/stocks", nil)
		r.URL.RawQuery = query
		r.Header["Last-Event-Id"] = []string{lastID}
		req, err := s.parseStreamRequest(r)
		if err != nil {
			return
		}
		if len(req.Symbols) > s.cfg.MaxSymbols || len(req.LastEventID) > maxLastEventID {
			t.Fatalf("accepted %d symbols, id of %d bytes", len(req.Symbols), len(req.LastEventID))
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
