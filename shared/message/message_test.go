package message_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stockstream/stockstream/shared/message"
	"github.com/stockstream/stockstream/shared/stock"
)

func update(id, sym, price string) []byte {
	return stock.StockPriceEvent{ID: id, Symbol: sym, Price: stock.MustParsePrice(price), Timestamp: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}.AppendJSON(nil)
}

// TestDecodeFollowsTheStream: a snapshot, updates in order, a duplicate
// skipped, an unknown type skipped, and a later snapshot marked as
// standing in for missed events.
func TestDecodeFollowsTheStream(t *testing.T) {
	var d message.Decoder
	steps := []struct {
		typ, id string
		data    []byte
		ok      bool
		kind    message.Kind
		missed  bool
	}{
		{stock.EventSnapshot, "10", []byte(`[{"id":"10","symbol":"AAPL","price":1.5,"timestamp":"2026-01-02T03:04:05Z","open":1}]`), true, message.Snapshot, false},
		{stock.EventUpdate, "11", update("11", "AAPL", "1.6"), true, message.Update, false},
		{stock.EventUpdate, "11", update("11", "AAPL", "1.6"), false, 0, false},
		{stock.EventUpdate, "9", update("9", "AAPL", "1.4"), false, 0, false},
		{"other", "12", []byte("x"), false, 0, false},
		{stock.EventUpdate, "12", []byte(`{"id":"12","symbol":"msft","price":2e1,"timestamp":"2026-01-02T04:04:05+01:00"}`), true, message.Update, false},
		{stock.EventSnapshot, "20", []byte(`null`), true, message.Snapshot, true},
	}
	for i, s := range steps {
		m, ok, err := d.Decode(s.typ, s.id, s.data)
		if err != nil || ok != s.ok || m.Kind != s.kind || m.Missed != s.missed {
			t.Fatalf("step %d: %+v ok=%v err=%v", i, m, ok, err)
		}
		if ok && m.ID != s.id {
			t.Errorf("step %d: id %s", i, m.ID)
		}
	}
	if d.Last() != "20" {
		t.Errorf("Last = %s", d.Last())
	}
	m, _, _ := d.Decode(stock.EventUpdate, "21", []byte(`{"id":"21","symbol":"msft","price":2e1,"timestamp":"2026-01-02T04:04:05+01:00"}`))
	if m.Event.Symbol != "MSFT" || m.Event.Price.String() != "20" || !m.Event.Timestamp.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("the slow path read %+v", m.Event)
	}
}

// TestResumedSnapshotIsMissed: a stream resumed from an id that opens with
// a snapshot did miss events.
func TestResumedSnapshotIsMissed(t *testing.T) {
	d := message.Resume("5")
	if _, ok, _ := d.Decode(stock.EventUpdate, "5", update("5", "A", "1")); ok {
		t.Error("the update the stream resumed from came again")
	}
	m, ok, err := d.Decode(stock.EventSnapshot, "9", []byte(`[]`))
	if !ok || err != nil || !m.Missed || m.Snapshot == nil {
		t.Errorf("%+v %v %v", m, ok, err)
	}
}

func TestDecodeRefusesWhatIsNotStockstreams(t *testing.T) {
	for _, c := range []struct{ typ, id, data string }{
		{stock.EventUpdate, "abc", `{}`},
		{stock.EventUpdate, "3", `{"id":"3","symbol":"B@D","price":1,"timestamp":"2026-01-02T03:04:05Z"}`},
		{stock.EventUpdate, "3", `{"id":"3","symbol":"A","timestamp":"2026-01-02T03:04:05Z"}`},
		{stock.EventUpdate, "3", `not json`},
		{stock.EventSnapshot, "3", `{"not":"an array"}`},
	} {
		var d message.Decoder
		if _, ok, err := d.Decode(c.typ, c.id, []byte(c.data)); ok || !errors.Is(err, message.ErrMalformed) {
			t.Errorf("%s %s %s: ok=%v err=%v", c.typ, c.id, c.data, ok, err)
		}
	}
}
