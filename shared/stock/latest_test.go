package stock_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

func TestLatestJSONAddsOpen(t *testing.T) {
	ts := time.Date(2026, 11, 24, 7, 48, 27, 0, time.UTC)
	l := stock.Latest{
		StockPriceEvent: stock.StockPriceEvent{ID: "7", Symbol: "AAPL", Price: stock.MustParsePrice("189.88"), Timestamp: ts},
		Open:            stock.MustParsePrice("187.5"),
	}
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"7","symbol":"AAPL","price":189.88,"timestamp":"2026-11-24T07:48:27Z","open":187.5}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	var back stock.Latest
	if err := json.Unmarshal(b, &back); err != nil || back != l {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	// A plain event decodes as a Latest without open, and a Latest as a
	// plain event: old and new clients read each other.
	var ev stock.StockPriceEvent
	if err := json.Unmarshal(b, &ev); err != nil || ev != l.StockPriceEvent {
		t.Fatalf("as event: %+v, %v", ev, err)
	}
	l.Open = stock.Price{}
	b, _ = json.Marshal(l)
	if string(b) != `{"id":"7","symbol":"AAPL","price":189.88,"timestamp":"2026-11-24T07:48:27Z"}` {
		t.Fatalf("zero open: %s", b)
	}
}

func TestLatestRefusesBadOpen(t *testing.T) {
	for _, in := range []string{
		`{"id":"1","symbol":"AAPL","price":1,"timestamp":"2025-01-01T00:00:00Z","open":"1"}`,
		`{"id":"1","symbol":"AAPL","price":1,"timestamp":"2025-01-01T00:00:00Z","open":-1}`,
		`{"id":"1","symbol":"AAPL","price":1,"timestamp":"2025-01-01T00:00:00Z","open":1e400}`,
	} {
		var l stock.Latest
		if err := json.Unmarshal([]byte(in), &l); err == nil {
			t.Errorf("unmarshal %s = %+v, want an error", in, l)
		}
	}
}

func TestSessionDay(t *testing.T) {
	got := stock.SessionDay(time.Date(2026, 11, 24, 23, 30, 0, 0, time.FixedZone("EST", -5*3600)))
	if want := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("SessionDay = %v, want %v (UTC day)", got, want)
	}
}
