package redis

import (
	"encoding/binary"
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

func TestDecodeEventRefusesInvalidSymbols(t *testing.T) {
	for _, sym := range []string{"aapl", "A\nB", "a\u017f", "\u0131BM", "ABCDEFGHIJKLM", "-X", " A"} {
		if _, err := decodeEvent(sym, "1", "2025-06-16T05:31:12Z"); err == nil {
			t.Errorf("decodeEvent accepted symbol %q", sym)
		}
		if _, err := decodeLatest(sym, "7 1 2025-06-16T05:31:12Z"); err == nil {
			t.Errorf("decodeLatest accepted symbol %q", sym)
		}
	}
}

func TestDecodeRingSkipsMalformedRecords(t *testing.T) {
	record := func(minute, count int32, o, h, l, c int64) []byte {
		b := make([]byte, 0, ringRecord)
		b = binary.LittleEndian.AppendUint32(b, uint32(minute))
		b = binary.LittleEndian.AppendUint32(b, uint32(count))
		for _, p := range []int64{o, h, l, c} {
			b = binary.LittleEndian.AppendUint64(b, uint64(p))
		}
		return b
	}
	good := record(100, 2, 5, 7, 4, 6)
	bad := [][]byte{
		record(101, -1, 5, 5, 5, 5),        // negative count
		record(-5, 1, 5, 5, 5, 5),          // before 1970
		record(102, 1, 5, 5, 0, 5),         // zero low
		record(103, 1, 5, 4, 6, 5),         // low above high
		record(104, 1, 9, 7, 4, 6),         // open above high
		record(105, 1, 5, 7, 4, 3),         // close below low
		record(106, 1, 5, 2e15, 4, 5),      // above the largest price
		record(107, 1, -5, -1, -9, -5),     // negative prices
		record(108, 1, 1<<62, 1<<62, 1, 1), // open far out
		record(109, 1<<30, 5, 5, 5, 5),     // a large count is still a count
	}
	ring := make([]byte, 0, stock.BarWindow*ringRecord)
	ring = append(ring, good...)
	for _, b := range bad {
		ring = append(ring, b...)
	}
	ring = append(ring, make([]byte, stock.BarWindow*ringRecord-len(ring))...) // empty slots
	got, malformed := decodeRing(ring)
	if len(got) != 2 || got[0].Minute != 100 || got[1].Minute != 109 || malformed != len(bad)-1 {
		t.Fatalf("decodeRing: %+v, %d malformed; want minutes 100 and 109, %d malformed", got, malformed, len(bad)-1)
	}
	for _, short := range [][]byte{nil, good, append(ring[:len(ring):len(ring)], 1, 2, 3)} {
		got, malformed := decodeRing(short)
		if malformed == 0 || len(got) > 2 {
			t.Errorf("decodeRing of %d bytes: %d bars, %d malformed; want the length counted as malformed", len(short), len(got), malformed)
		}
	}
}
