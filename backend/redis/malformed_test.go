package redis

import (
	"context"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/shared/stock"
)

// TestMalformedValuesAreSkipped writes malformed values into every key a
// read decodes (the latest hash, the stream, bar rings) and checks that
// the snapshot, a latest price, a resume, live delivery and bars serve
// the rest, count each skipped value and never fail.
func TestMalformedValuesAreSkipped(t *testing.T) {
	srv := redistest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var mu sync.Mutex
	skipped := map[string]int{}
	b, err := Open(ctx, srv.URL(0), Options{History: 100, Prefix: "malformed:", Malformed: func(kind string) {
		mu.Lock()
		skipped[kind]++
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	first := brokertest.MustPublish(t, b, []stock.Quote{
		{Symbol: "AAPL", Price: stock.MustParsePrice("1")}, {Symbol: "MSFT", Price: stock.MustParsePrice("2")},
	})
	_, live := brokertest.MustSubscribe(t, b, backend.SubscribeRequest{})

	// A malformed entry in the stream, with the next id of the counter.
	seq, err := b.rdb.Incr(ctx, b.keys.seq).Uint64()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.rdb.XAdd(ctx, &goredis.XAddArgs{Stream: b.keys.events, ID: entryID(seq), Values: []any{"s", "a\u017f", "p", "x", "t", "now"}}).Err(); err != nil {
		t.Fatal(err)
	}
	after := brokertest.MustPublish(t, b, []stock.Quote{{Symbol: "GOOG", Price: stock.MustParsePrice("3")}})
	for field, v := range map[string]string{
		"BAD":     "garbage",
		"EVIL":    "1 1 2025-06-16T05:31:12Z 20255",
		"a\u017f": "9 1 2025-06-16T05:31:12Z",
		"NOOPEN":  "9 1 2025-06-16T05:31:12Z x 1",
	} {
		if err := b.rdb.HSet(ctx, b.keys.latest, field, v).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.rdb.Set(ctx, b.keys.bars("AAPL"), "short", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := b.rdb.HSet(ctx, b.keys.bars("WT"), "a", "b").Err(); err != nil {
		t.Fatal(err)
	}

	snap, err := b.Snapshot(ctx)
	if err != nil || len(snap) != 3 || snap[0].Symbol != "AAPL" || snap[1].Symbol != "GOOG" || snap[2].Symbol != "MSFT" {
		t.Fatalf("snapshot: %+v, %v; want AAPL, GOOG and MSFT", snap, err)
	}
	for _, sym := range []string{"BAD", "EVIL", "NOOPEN"} {
		if l, ok, err := b.Latest(ctx, sym); ok || err != nil {
			t.Errorf("latest of %s: %+v %v %v; want none", sym, l, ok, err)
		}
	}
	o, resumed := brokertest.MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: first[1].ID})
	if got := brokertest.Receive(t, resumed, 1); !o.Resumed || got[0].Stock.ID != after[0].ID || len(brokertest.Pending(resumed)) != 0 {
		t.Fatalf("resume after %s: %+v, %v; want a replay of %s alone", first[1].ID, o, got[0].Stock.ID, after[0].ID)
	}
	if o, _ := brokertest.MustSubscribe(t, b, backend.SubscribeRequest{}); len(o.Snapshot) != 3 {
		t.Fatalf("opening snapshot %+v, want 3 symbols", o.Snapshot)
	}
	if got := brokertest.Receive(t, live, 1); got[0].Stock.ID != after[0].ID {
		t.Fatalf("live: %s, want %s after the malformed entry", got[0].Stock.ID, after[0].ID)
	}
	for _, sym := range []string{"AAPL", "WT"} {
		if bars, err := b.Bars(ctx, sym); err != nil || len(bars) != 0 {
			t.Errorf("bars of %s: %v %v; want none", sym, bars, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if skipped[malformedEntry] != 1 || skipped[malformedLatest] < 4+3 || skipped[malformedBars] != 2 {
		t.Fatalf("skipped %v; want the entry once by the reader, 4 latest values in the snapshots and 3 latest reads, 2 rings", skipped)
	}
}
