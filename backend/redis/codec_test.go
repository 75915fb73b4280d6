package redis

import (
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/shared/stock"
)

func TestEntryRoundTrip(t *testing.T) {
	ts := time.Date(2025, 6, 16, 5, 31, 12, 583877100, time.UTC)
	msg := goredis.XMessage{ID: "1750051872583877-0", Values: map[string]any{
		fieldSymbol: "AAPL", fieldPrice: stock.MustParsePrice("118.88").String(), fieldTime: formatTime(ts),
	}}
	ev, err := decodeEntry(msg)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"1750051872583877","symbol":"AAPL","price":118.88,"timestamp":"2025-06-16T05:31:12.5838771Z"}`
	if ev.Seq != 1750051872583877 || string(ev.Stock.AppendJSON(nil)) != want {
		t.Fatalf("decoded %d %s, want %s", ev.Seq, ev.Stock.AppendJSON(nil), want)
	}
	if entryID(ev.Seq) != msg.ID {
		t.Fatalf("entryID(%d) = %s, want %s", ev.Seq, entryID(ev.Seq), msg.ID)
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	for _, v := range []string{"", "1 2", "x 1.00 2025-06-16T05:31:12Z", "1 abc 2025-06-16T05:31:12Z", "1 1.00 yesterday", "1 1.00 2025-06-16T05:31:12Z extra",
		"1 1.00 2025-06-16T05:31:12Z x 1.00", "1 1.00 2025-06-16T05:31:12Z 20255 0", "1 1.00 2025-06-16T05:31:12Z 20255 1.00 x"} {
		if _, err := decodeLatest("AAPL", v); err == nil {
			t.Errorf("decodeLatest(%q) accepted", v)
		}
	}
	for _, id := range []string{"", "abc-0", "-1-0"} {
		if _, err := decodeEntry(goredis.XMessage{ID: id}); err == nil {
			t.Errorf("decodeEntry(id %q) accepted", id)
		}
	}
	if _, err := decodeEntry(goredis.XMessage{ID: "5-0", Values: map[string]any{fieldPrice: "1"}}); err == nil {
		t.Error("entry without symbol accepted")
	}
}

func TestDecodeLatestOpen(t *testing.T) {
	const ts = "2025-06-16T05:31:12Z" // day 20255
	for v, want := range map[string]string{
		"7 1.5 " + ts:                 "0", // written before opens were kept
		"7 1.5 " + ts + " 20255 1.25": "1.25",
		"7 1.5 " + ts + " 20254 1.25": "0", // the open of another day
	} {
		l, err := decodeLatest("AAPL", v)
		if err != nil || l.ID != "7" || l.Price.String() != "1.5" || l.Open.String() != want {
			t.Errorf("decodeLatest(%q) = %+v, %v; want open %s", v, l, err, want)
		}
	}
}
