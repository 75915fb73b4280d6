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

func TestParseSymbolsFilter(t *testing.T) {
	for raw, want := range map[string]string{
		"":                               "<nil>",
		"conflate=1s":                    "<nil>",
		"symbols=aapl":                   "AAPL",
		"symbols=AAPL,msft,AAPL":         "AAPL,MSFT",
		"symbols=AAPL&symbols=MSFT":      "AAPL,MSFT",
		"symbols=AAPL,%20MSFT":           "AAPL,MSFT",
		"symbols=BRK.B,BF-B":             "BRK.B,BF-B",
		"symbols=" + repeatSym(100, "A"): repeatSym(1, "A"),
	} {
		q, _ := url.ParseQuery(raw)
		got, err := parseSymbolsFilter(q, 100)
		if s := strings.Join(got, ","); err != nil || got == nil && want != "<nil>" || got != nil && s != want {
			t.Errorf("parseSymbolsFilter(%q) = %v, %v; want %s", raw, got, err, want)
		}
	}
	for _, raw := range []string{
		"symbols=", "symbols=,", "symbols=,,", "symbols=%20", "symbols=AAPL,,MSFT", "symbols=AAPL,", "symbols=,AAPL",
		"symbols=AAPL&symbols=", "symbols=&symbols=", "symbols=a%C5%BF", "symbols=%C4%B1bm", "symbols=%E2%84%AA",
		"symbols=%C2%A0AAPL", "symbols=AAPL%0A", "symbols=" + strings.Repeat("A", 13), "symbols=" + strings.Repeat("A,", 100) + "B",
		"symbols=" + strings.Repeat(",", 5000),
	} {
		q, _ := url.ParseQuery(raw)
		if got, err := parseSymbolsFilter(q, 100); err == nil || statusOf(err) != http.StatusBadRequest {
			t.Errorf("parseSymbolsFilter(%q) = %v, %v; want a 400", raw, got, err)
		}
	}
}

// repeatSym returns n distinct-or-not symbols: n copies of sym, joined.
func repeatSym(n int, sym string) string { return strings.TrimSuffix(strings.Repeat(sym+",", n), ",") }

// FuzzSymbolsFilter feeds hostile symbols= values to the filter parser: it
// must refuse them with a 400 or return at most the allowed number of
// valid, distinct, upper-case symbols, none from a non-ASCII input.
func FuzzSymbolsFilter(f *testing.F) {
	for _, s := range []string{"symbols=AAPL,msft", "symbols=,,", "symbols=a%C5%BF", "symbols=&symbols=A", "symbols=%E2%84%AA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		syms, err := parseSymbolsFilter(q, 10)
		if err != nil {
			if statusOf(err) != http.StatusBadRequest {
				t.Fatalf("refused %q with %d", raw, statusOf(err))
			}
			return
		}
		if !q.Has("symbols") {
			if syms != nil {
				t.Fatalf("no symbols= in %q gave a filter %v", raw, syms)
			}
			return
		}
		if len(syms) == 0 || len(syms) > 10 {
			t.Fatalf("%q gave %d symbols", raw, len(syms))
		}
		joined := strings.Join(q["symbols"], ",")
		for i := range len(joined) {
			if joined[i] >= 0x80 {
				t.Fatalf("non-ASCII %q accepted as %v", joined, syms)
			}
		}
		seen := map[string]bool{}
		for _, s := range syms {
			if got, err := stock.ParseSymbol(s); err != nil || got != s || seen[s] {
				t.Fatalf("%q gave symbol %q", raw, s)
			}
			seen[s] = true
		}
	})
}
