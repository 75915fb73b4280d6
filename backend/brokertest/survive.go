package brokertest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// seqOf parses the id of ev, failing the test if it is not one.
func seqOf(t testing.TB, ev stock.StockPriceEvent) uint64 {
	t.Helper()
	seq, ok := stock.ParseID(ev.ID)
	if !ok {
		t.Fatalf("id %q is not a position", ev.ID)
	}
	return seq
}

// testIDsFollowTheClock checks the id rule of backend.NextSeq: the first
// id of a publish is at least the time in microseconds, the others follow
// it, and every event carries the time it was accepted, the same for the
// whole publish and never after its id.
func testIDsFollowTheClock(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	_, sub := MustSubscribe(t, b, backend.SubscribeRequest{})
	before := time.Now().Truncate(time.Microsecond)
	evs := MustPublish(t, b, Quotes("AAPL", 3))
	after := time.Now()
	first := seqOf(t, evs[0])
	if first < uint64(before.UnixMicro()) {
		t.Fatalf("first id %d is below the clock %d µs", first, before.UnixMicro())
	}
	for i, ev := range evs {
		if seqOf(t, ev) != first+uint64(i) {
			t.Fatalf("ids %v: not consecutive within one publish", eventIDs(evs))
		}
	}
	for _, ev := range Receive(t, sub, 3) {
		at := ev.Accepted
		if at.Before(before) || at.After(after) || !at.Equal(ev.Accepted.Truncate(time.Microsecond)) {
			t.Fatalf("event %d accepted at %v, want a microsecond between %v and %v", ev.Seq, at, before, after)
		}
		if uint64(at.UnixMicro()) > ev.Seq {
			t.Fatalf("event %d accepted at %d µs, after its id", ev.Seq, at.UnixMicro())
		}
	}
}

// testResumeAcrossIDGaps checks that ids that are not consecutive still
// resume exactly: from an id the stream holds, the events after it; from a
// number between two ids, which names no event, a snapshot.
func testResumeAcrossIDGaps(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 1000})
	var evs []stock.StockPriceEvent
	gap := -1
	for i := 0; gap < 0 && i < 500; i++ { // the clock moves on between publishes
		evs = append(evs, MustPublish(t, b, Quotes("AAPL", 1))...)
		if n := len(evs); n > 1 && seqOf(t, evs[n-1]) > seqOf(t, evs[n-2])+1 {
			gap = n - 2
		}
	}
	if gap < 0 {
		t.Fatal("500 publishes took consecutive ids: the ids do not follow the clock")
	}
	o, sub := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: evs[gap].ID})
	if want, got := eventIDs(evs[gap+1:]), ids(Receive(t, sub, len(evs)-gap-1)); !o.Resumed || !slices.Equal(got, want) {
		t.Fatalf("resume from %s across a gap: resumed=%v %v, want %v", evs[gap].ID, o.Resumed, got, want)
	}
	between := stock.FormatID(seqOf(t, evs[gap]) + 1)
	if o, _ := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: between}); o.Resumed {
		t.Fatalf("resume from %s, between events %s and %s: resumed, want a snapshot", between, evs[gap].ID, evs[gap+1].ID)
	}
}

// testFutureIDRaisesTheHead checks what a client holding an id above the
// head but not ahead of the clock gets (an id from a tail the store lost):
// a snapshot whose id is at least its own, and later ids above it, so its
// ids never go back.
func testFutureIDRaisesTheHead(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	evs := MustPublish(t, b, Quotes("AAPL", 2))
	held := seqOf(t, evs[1]) + 1
	for backend.ClockSeq() <= held { // a moment for the clock to pass it
		time.Sleep(time.Microsecond)
	}
	o, sub := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: stock.FormatID(held)})
	if o.Resumed || o.Head < held || len(o.Snapshot) != 1 || o.Snapshot[0].ID != evs[1].ID {
		t.Fatalf("resume from %d above the head %s: resumed=%v head %d snapshot %v, want a snapshot of %s with a head of at least %d",
			held, evs[1].ID, o.Resumed, o.Head, latestIDs(o.Snapshot), evs[1].ID, held)
	}
	next := MustPublish(t, b, Quotes("AAPL", 1))
	if seqOf(t, next[0]) <= o.Head {
		t.Fatalf("id %s after a snapshot with head %d", next[0].ID, o.Head)
	}
	if got := Receive(t, sub, 1); got[0].Stock.ID != next[0].ID {
		t.Fatalf("live %s, want %s", got[0].Stock.ID, next[0].ID)
	}
}

// testKeyedPublishOnce checks idempotent publishes: a repeat of a key
// publishes nothing and answers with the first events, timestamps
// included; other quotes under a used key are refused.
func testKeyedPublishOnce(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	ctx := Ctx(t)
	_, sub := MustSubscribe(t, b, backend.SubscribeRequest{})
	quotes := append(Quotes("AAPL", 2), stock.Quote{Symbol: "MSFT", Price: stock.MustParsePrice("1.5"), Timestamp: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)})
	first, err := b.Publish(ctx, backend.PublishRequest{Quotes: quotes, Key: "batch-1"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.Publish(ctx, backend.PublishRequest{Quotes: quotes, Key: "batch-1"})
	if err != nil || !slices.Equal(again, first) {
		t.Fatalf("repeat of a key: %v %v, want the first answer %v", again, err, first)
	}
	if _, err := b.Publish(ctx, backend.PublishRequest{Quotes: Quotes("AAPL", 3), Key: "batch-1"}); !errors.Is(err, backend.ErrKeyReused) {
		t.Fatalf("other quotes under a used key: %v, want ErrKeyReused", err)
	}
	other := MustPublish(t, b, Quotes("AAPL", 1))
	if l, _, _ := b.Latest(ctx, "AAPL"); l.ID != other[0].ID {
		t.Fatalf("latest AAPL %s, want %s", l.ID, other[0].ID)
	}
	fresh, err := b.Publish(ctx, backend.PublishRequest{Quotes: quotes, Key: "batch-2"})
	if err != nil || seqOf(t, fresh[0]) <= seqOf(t, other[0]) {
		t.Fatalf("a new key: %v %v, want new events after %s", fresh, err, other[0].ID)
	}
	want := append(append(append([]stock.StockPriceEvent{}, first...), other...), fresh...)
	got := Receive(t, sub, len(want))
	for i, ev := range got {
		if ev.Stock != want[i] {
			t.Fatalf("event %d delivered %+v, want %+v: a repeat must publish nothing", i, ev.Stock, want[i])
		}
	}
}

// testMaxSymbols checks the symbol cap: a publish that would add a symbol
// past it is refused whole, one within it goes through.
func testMaxSymbols(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100, MaxSymbols: 3})
	ctx := Ctx(t)
	_, sub := MustSubscribe(t, b, backend.SubscribeRequest{})
	MustPublish(t, b, append(Quotes("A", 1), Quotes("B", 1)...))
	refused := append(append(Quotes("A", 1), Quotes("C", 1)...), Quotes("D", 1)...)
	if evs, err := b.Publish(ctx, backend.PublishRequest{Quotes: refused}); !errors.Is(err, backend.ErrTooManySymbols) {
		t.Fatalf("a 4th and 5th symbol with a cap of 3: %v %v, want ErrTooManySymbols", evs, err)
	}
	if _, ok, _ := b.Latest(ctx, "C"); ok {
		t.Fatal("a refused publish left a symbol behind")
	}
	MustPublish(t, b, append(Quotes("C", 1), Quotes("A", 1)...))
	if _, err := b.Publish(ctx, backend.PublishRequest{Quotes: Quotes("D", 1)}); !errors.Is(err, backend.ErrTooManySymbols) {
		t.Fatalf("a 4th symbol with a cap of 3: %v, want ErrTooManySymbols", err)
	}
	last := MustPublish(t, b, append(Quotes("B", 1), Quotes("C", 1)...))
	got := Receive(t, sub, 6)
	if got[len(got)-1].Stock.ID != last[1].ID || len(got) != 6 {
		t.Fatalf("delivered %v, want the 6 events of the accepted publishes only", ids(got))
	}
}
