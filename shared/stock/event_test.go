package stock_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

func TestEventJSONMatchesContract(t *testing.T) {
	ts := time.Date(2025, 6, 16, 5, 31, 12, 583877100, time.FixedZone("CEST", 2*3600))
	ev := stock.StockPriceEvent{ID: "42", Symbol: "AAPL", Price: stock.MustParsePrice("118.88"), Timestamp: ts}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"42","symbol":"AAPL","price":118.88,"timestamp":"2025-06-16T03:31:12.5838771Z"}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	var back stock.StockPriceEvent
	if err := json.Unmarshal(b, &back); err != nil || back.ID != "42" || back.Price != ev.Price || !back.Timestamp.Equal(ts) {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	// encoding/json agrees with the hand-written encoder.
	std, _ := json.Marshal(struct {
		ID        string          `json:"id"`
		Symbol    string          `json:"symbol"`
		Price     json.RawMessage `json:"price"`
		Timestamp time.Time       `json:"timestamp"`
	}{"42", "AAPL", json.RawMessage("118.88"), ts.UTC()})
	if string(std) != want {
		t.Fatalf("encoding/json gives %s", std)
	}
}

func TestEventJSONEscapesHostileIDs(t *testing.T) {
	ev := stock.StockPriceEvent{ID: "1\"\n<x>", Symbol: "AAPL", Price: stock.PriceFromCents(1)}
	b, _ := json.Marshal(ev)
	if !json.Valid(b) {
		t.Fatalf("invalid JSON %s", b)
	}
}

func TestEventUnmarshalValidates(t *testing.T) {
	for _, in := range []string{
		`{"id":"1","symbol":"A\nB","price":1,"timestamp":"2025-01-01T00:00:00Z"}`,
		`{"id":"1","symbol":"AAPL","price":"1","timestamp":"2025-01-01T00:00:00Z"}`,
		`{"id":"1","symbol":"AAPL","timestamp":"2025-01-01T00:00:00Z"}`,
		`{"id":"1","symbol":"AAPL","price":-1}`,
	} {
		var ev stock.StockPriceEvent
		if err := json.Unmarshal([]byte(in), &ev); err == nil {
			t.Errorf("unmarshal %s = %+v, want an error", in, ev)
		}
	}
}

func TestQuoteValidate(t *testing.T) {
	q := stock.Quote{Symbol: "msft", Price: stock.PriceFromCents(1)}
	if err := q.Validate(); err != nil || q.Symbol != "MSFT" {
		t.Fatalf("validate: %v %q", err, q.Symbol)
	}
	if err := (&stock.Quote{Symbol: "MSFT"}).Validate(); err == nil {
		t.Fatal("a quote without price validated")
	}
}

func FuzzEventJSON(f *testing.F) {
	f.Add([]byte(`{"id":"42","symbol":"AAPL","price":118.88,"timestamp":"2025-06-16T05:31:12.5838771Z"}`))
	f.Add([]byte(`{"symbol":"a","price":1e2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ev stock.StockPriceEvent
		if err := json.Unmarshal(b, &ev); err != nil {
			return
		}
		out, err := json.Marshal(ev)
		if err != nil || !json.Valid(out) {
			t.Fatalf("%s re-encodes to invalid %s (%v)", b, out, err)
		}
		var back stock.StockPriceEvent
		if err := json.Unmarshal(out, &back); err != nil || back.Price != ev.Price || back.Symbol != ev.Symbol || back.ID != ev.ID {
			t.Fatalf("%s → %s → %+v (%v)", b, out, back, err)
		}
	})
}
