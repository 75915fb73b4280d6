package message

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

func TestCanonicalReadsWhatTheServerWrites(t *testing.T) {
	var d Decoder
	for _, e := range []stock.StockPriceEvent{
		{ID: "1", Symbol: "AAPL", Price: stock.MustParsePrice("118.88"), Timestamp: time.Date(2026, 1, 2, 3, 4, 5, 583877100, time.UTC)},
		{ID: "18446744073709551615", Symbol: "BRK.B", Price: stock.MustParsePrice("0.000001"), Timestamp: time.Unix(0, 0).UTC()},
		{ID: "7", Symbol: "X", Price: stock.MustParsePrice("1000000000"), Timestamp: time.Date(2000, 1, 3, 0, 0, 0, 0, time.UTC)},
	} {
		var got stock.StockPriceEvent
		if !d.canonical(e.AppendJSON(nil), e.ID, &got) || got != e {
			t.Errorf("%s came back as %+v", e.AppendJSON(nil), got)
		}
	}
}

// FuzzDecodeUpdate checks that the fast path never accepts what
// encoding/json and the event's checks refuse, and agrees with them on
// what both accept.
func FuzzDecodeUpdate(f *testing.F) {
	f.Add(`{"id":"1","symbol":"AAPL","price":118.88,"timestamp":"2026-01-02T03:04:05.5Z"}`, "1")
	f.Add(`{"id":"1","symbol":"aapl","price":1e2,"timestamp":"2026-01-02T03:04:05+02:00"}`, "1")
	f.Add(`{"id":"1","symbol":"A","price":007,"timestamp":"2026-01-02T03:04:05Z"}`, "1")
	f.Add(`{"id":"2","symbol":"A\"","price":1,"timestamp":"2026-01-02T03:04:05Z"}`, "2")
	f.Fuzz(func(t *testing.T, data, id string) {
		var d Decoder
		var fast, slow stock.StockPriceEvent
		if !d.canonical([]byte(data), id, &fast) {
			return
		}
		if err := json.Unmarshal([]byte(data), &slow); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json refuses it: %v", data, err)
		}
		if !fast.Timestamp.Equal(slow.Timestamp) || fast.ID != slow.ID || fast.Symbol != slow.Symbol || fast.Price != slow.Price {
			t.Fatalf("%q: fast path %+v, encoding/json %+v", data, fast, slow)
		}
	})
}
