package backend_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

func TestNextSeq(t *testing.T) {
	now := time.UnixMicro(5_000)
	for _, c := range []struct{ last, floor, want uint64 }{
		{100, 0, 5_000},     // the clock
		{7_000, 0, 7_001},   // the stream is ahead of the clock
		{100, 9_000, 9_001}, // a floor above both: the stream lost its tail
	} {
		if got := backend.NextSeq(c.last, c.floor, now); got != c.want {
			t.Errorf("NextSeq(%d, %d, 5000 µs) = %d, want %d", c.last, c.floor, got, c.want)
		}
	}
	if got := backend.NextSeq(3, 0, time.Unix(-5, 0)); got != 4 {
		t.Errorf("a clock before 1970: %d, want 4", got)
	}
}

func TestReceiptRepeatsTheFirstAnswer(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC)
	ts := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	quotes := []stock.Quote{{Symbol: "A", Price: stock.MustParsePrice("1.5")}, {Symbol: "B", Price: stock.MustParsePrice("2"), Timestamp: ts}}
	rc := backend.Receipt{First: 41, At: at, Digest: backend.Digest(quotes)}
	evs, err := rc.Repeat(quotes)
	if err != nil || len(evs) != 2 || evs[0].ID != "41" || evs[1].ID != "42" || !evs[0].Timestamp.Equal(at) || !evs[1].Timestamp.Equal(ts) {
		t.Fatalf("repeat: %+v %v", evs, err)
	}
	for _, other := range [][]stock.Quote{
		quotes[:1],
		{quotes[0], {Symbol: "B", Price: stock.MustParsePrice("2")}},
		{quotes[0], {Symbol: "B", Price: stock.MustParsePrice("2.01"), Timestamp: ts}},
		{quotes[1], quotes[0]},
	} {
		if _, err := rc.Repeat(other); !errors.Is(err, backend.ErrKeyReused) {
			t.Errorf("other quotes %v under the key: %v, want ErrKeyReused", other, err)
		}
	}
}
