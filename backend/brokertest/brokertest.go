// Package brokertest is the test suite every backend.Broker implementation
// must pass: ids, replay, snapshots, filters, slow subscribers, bars,
// session opens and conflation.
package brokertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// Config says how a Factory makes a broker.
type Config struct {
	// History is the number of events kept for replay.
	History int
	// Queue is how many events a subscriber may fall behind (the broker's
	// default if 0).
	Queue int
	// MaxReplay bounds the events a resume replays (no bound if 0).
	MaxReplay int
	// MaxSymbols caps the distinct symbols (no cap if 0).
	MaxSymbols int
}

// Factory returns a new, empty broker made as c says; the suite closes it.
type Factory func(t testing.TB, c Config) backend.Broker

// Run runs the whole suite against brokers made by newBroker.
func Run(t *testing.T, newBroker Factory) {
	tests := map[string]func(*testing.T, Factory){
		"IDsStrictlyIncrease":         testIDsStrictlyIncrease,
		"PublishReceiveExactPrice":    testPublishReceiveExactPrice,
		"ResumeExactlyAfter":          testResumeExactlyAfter,
		"ResumeFromHeadIsCaughtUp":    testResumeFromHead,
		"SnapshotOnFreshUnknownID":    testSnapshotOnUnknown,
		"SnapshotOnEvictedID":         testSnapshotOnEvicted,
		"NoGapBetweenReplayAndLive":   testNoGapReplayLive,
		"NoGapBetweenSnapshotAndLive": testNoGapSnapshotLive,
		"FilterBySymbol":              testFilter,
		"SlowSubscriberIsDropped":     testSlowDropped,
		"BurstCostsLagNotTheStream":   testBurstLag,
		"ReplayInBoundedChunks":       testReplayChunks,
		"GapOverMaxReplayIsSnapshot":  testMaxReplay,
		"LatestAndSnapshot":           testLatest,
		"CloseEndsSubscriptions":      testClose,
		"ConcurrentPublishersInOrder": testConcurrentPublishers,
		"BarsAcrossMinutes":           testBars,
		"SessionOpen":                 testSessionOpen,
		"BarAndOpenRuleCases":         testRuleCases,
		"ConflatedResumeLatestOnly":   testConflatedResume,
		"ConflatedLiveLatestOnly":     testConflatedLive,
		"ConflatedNeverOverflows":     testConflatedNeverOverflows,
		"IDsFollowTheClock":           testIDsFollowTheClock,
		"ResumeAcrossIDGaps":          testResumeAcrossIDGaps,
		"FutureIDRaisesTheHead":       testFutureIDRaisesTheHead,
		"KeyedPublishOnce":            testKeyedPublishOnce,
		"MaxSymbols":                  testMaxSymbols,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) { fn(t, newBroker) })
	}
}

// Ctx returns a context that ends with the test, bounded to 30 seconds.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Quotes returns n quotes for symbol whose prices are 100.01, 100.02, ….
func Quotes(symbol string, n int) []stock.Quote {
	qs := make([]stock.Quote, n)
	for i := range qs {
		qs[i] = stock.Quote{Symbol: symbol, Price: stock.PriceFromCents(int64(10001 + i))}
	}
	return qs
}

// MustPublish publishes quotes and fails the test on error.
func MustPublish(t testing.TB, b backend.Broker, quotes []stock.Quote) []stock.StockPriceEvent {
	t.Helper()
	evs, err := b.Publish(Ctx(t), backend.PublishRequest{Quotes: quotes})
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if len(evs) != len(quotes) {
		t.Fatalf("publish returned %d events for %d quotes", len(evs), len(quotes))
	}
	return evs
}

// MustSubscribe subscribes and fails the test on error; the subscription is
// closed with the test.
func MustSubscribe(t testing.TB, b backend.Reader, req backend.SubscribeRequest) (backend.Opening, backend.Subscription) {
	t.Helper()
	o, sub, err := b.Subscribe(Ctx(t), req)
	if err != nil {
		t.Fatalf("subscribe %+v: %v", req, err)
	}
	t.Cleanup(sub.Close)
	return o, sub
}

// Receive waits for n events, failing after 10 seconds. It waits on the
// subscription's Notifier.
func Receive(t testing.TB, sub backend.Subscription, n int) []*backend.Event {
	t.Helper()
	var got []*backend.Event
	deadline := time.After(10 * time.Second)
	ready, ended := notifications(t, sub)
	for len(got) < n {
		if got = sub.Next(got, n-len(got)); len(got) == n {
			break
		}
		select {
		case <-ready:
		case <-ended:
			t.Fatalf("subscription ended after %d of %d events: %v", len(got), n, sub.Err())
		case <-deadline:
			t.Fatalf("received %d of %d events in 10s", len(got), n)
		}
	}
	return got
}

// Pending returns the events a subscription gives at once: a resume's
// replay, right after Subscribe.
func Pending(sub backend.Subscription) []*backend.Event {
	var got []*backend.Event
	for {
		n := len(got)
		if got = sub.Next(got, 100); len(got) == n {
			return got
		}
	}
}

// notifications registers on sub's Notifier (failing the test without
// one) and returns channels that hold a value when events are pending and
// when the subscription has ended.
func notifications(t testing.TB, sub backend.Subscription) (ready, ended <-chan struct{}) {
	t.Helper()
	n, ok := sub.(backend.Notifier)
	if !ok {
		t.Fatalf("%T is not a backend.Notifier", sub)
	}
	r, e := make(chan struct{}, 1), make(chan struct{})
	var once sync.Once
	n.Notify(func(end bool) {
		if end {
			once.Do(func() { close(e) })
			return
		}
		select {
		case r <- struct{}{}:
		default:
		}
	})
	return r, e
}

// WaitEnded waits up to 10 seconds for sub to end and returns why.
func WaitEnded(t testing.TB, sub backend.Subscription) error {
	t.Helper()
	_, ended := notifications(t, sub)
	select {
	case <-ended:
		return sub.Err()
	case <-time.After(10 * time.Second):
		t.Fatal("the subscription did not end in 10s")
		return nil
	}
}

// ids returns the wire ids of events.
func ids(evs []*backend.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Stock.ID
	}
	return out
}

func eventIDs(evs []stock.StockPriceEvent) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

func latestIDs(ls []stock.Latest) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.ID
	}
	return out
}

func testIDsStrictlyIncrease(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	var last uint64
	for range 3 {
		for _, ev := range MustPublish(t, b, Quotes("AAPL", 5)) {
			seq, ok := stock.ParseID(ev.ID)
			if !ok || seq <= last {
				t.Fatalf("id %q after %d: not strictly increasing", ev.ID, last)
			}
			last = seq
		}
	}
}

func testPublishReceiveExactPrice(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	_, sub := MustSubscribe(t, b, backend.SubscribeRequest{})
	ts := time.Date(2025, 6, 16, 5, 31, 12, 583877100, time.UTC)
	pub := MustPublish(t, b, []stock.Quote{{Symbol: "AAPL", Price: stock.MustParsePrice("118.88"), Timestamp: ts}})
	got := Receive(t, sub, 1)[0]
	if got.Stock.Price.String() != "118.88" || !got.Stock.Timestamp.Equal(ts) || got.Stock.ID != pub[0].ID {
		t.Fatalf("received %+v, published %+v", got.Stock, pub[0])
	}
	want := fmt.Sprintf("id: %s\nevent: stockUpdate\ndata: {\"id\":%q,\"symbol\":\"AAPL\",\"price\":118.88,\"timestamp\":\"2025-06-16T05:31:12.5838771Z\"}\n\n", pub[0].ID, pub[0].ID)
	if string(got.Frame) != want {
		t.Fatalf("frame\n%q\nwant\n%q", got.Frame, want)
	}
}

func testResumeExactlyAfter(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	evs := MustPublish(t, b, Quotes("AAPL", 10))
	o, sub := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: evs[3].ID})
	if !o.Resumed {
		t.Fatalf("resume from held id %s: got a snapshot", evs[3].ID)
	}
	if want, got := eventIDs(evs[4:]), ids(Pending(sub)); !slices.Equal(got, want) {
		t.Fatalf("replay %v, want exactly %v", got, want)
	}
}

func testResumeFromHead(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	evs := MustPublish(t, b, Quotes("AAPL", 3))
	o, sub := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: evs[2].ID})
	if replay := Pending(sub); !o.Resumed || len(replay) != 0 {
		t.Fatalf("resume from head: resumed=%v replay=%v", o.Resumed, ids(replay))
	}
	next := MustPublish(t, b, Quotes("AAPL", 1))
	if got := Receive(t, sub, 1); got[0].Stock.ID != next[0].ID {
		t.Fatalf("live %s, want %s", got[0].Stock.ID, next[0].ID)
	}
}

func testSnapshotOnUnknown(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	evs := MustPublish(t, b, append(Quotes("AAPL", 2), Quotes("MSFT", 1)...))
	head, _ := stock.ParseID(evs[2].ID)
	// An id ahead of the clock was never given: it cannot move the head.
	ahead := stock.FormatID(backend.ClockSeq() + uint64(time.Hour/time.Microsecond))
	for _, id := range []string{"", "garbage", "-1", "99999999999999999999999", ahead, "1e3", " 5"} {
		o, _ := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: id})
		if o.Resumed {
			t.Fatalf("id %q: resumed, want snapshot", id)
		}
		if o.Head != head || len(o.Snapshot) != 2 || o.Snapshot[0].ID != evs[1].ID || o.Snapshot[1].ID != evs[2].ID {
			t.Fatalf("id %q: snapshot head %d %v, want head %d and latest AAPL, MSFT", id, o.Head, latestIDs(o.Snapshot), head)
		}
	}
}

func testSnapshotOnEvicted(t *testing.T, nb Factory) {
	const history = 10
	b := open(t, nb, Config{History: history})
	first := MustPublish(t, b, Quotes("AAPL", 1))
	var all []stock.StockPriceEvent
	for range 10 {
		all = append(all, MustPublish(t, b, Quotes("AAPL", 50))...)
	}
	o, _ := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: first[0].ID})
	if o.Resumed {
		t.Fatalf("resume from an id %d events back with history %d: resumed, want snapshot", len(all), history)
	}
	if len(o.Snapshot) != 1 || o.Snapshot[0].ID != all[len(all)-1].ID {
		t.Fatalf("snapshot %v, want the latest event %s", latestIDs(o.Snapshot), all[len(all)-1].ID)
	}
}

func testNoGapReplayLive(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 1000})
	start := MustPublish(t, b, Quotes("AAPL", 1))
	ctx := Ctx(t)
	started := make(chan struct{})
	done := make(chan []stock.StockPriceEvent)
	go func() {
		var out []stock.StockPriceEvent
		for i := range 50 {
			evs, err := b.Publish(ctx, backend.PublishRequest{Quotes: Quotes("AAPL", 4)})
			out = append(out, evs...)
			if i == 0 {
				close(started) // subscribe while publishing goes on
			}
			if err != nil {
				break
			}
		}
		done <- out
	}()
	<-started
	o, sub := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: start[0].ID})
	published := <-done
	if !o.Resumed {
		t.Fatal("resume from a held id got a snapshot")
	}
	got := ids(Receive(t, sub, len(published)))
	if want := eventIDs(published); !slices.Equal(got, want) {
		t.Fatalf("replay+live = %d events %v…, want %d events, none missing or twice", len(got), got[:min(5, len(got))], len(want))
	}
}

// testNoGapSnapshotLive subscribes fresh while events are published: the
// live events must be exactly those after the snapshot's Head.
func testNoGapSnapshotLive(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 1000})
	MustPublish(t, b, Quotes("AAPL", 1))
	ctx := Ctx(t)
	done := make(chan []stock.StockPriceEvent)
	go func() {
		var out []stock.StockPriceEvent
		for range 50 {
			evs, err := b.Publish(ctx, backend.PublishRequest{Quotes: Quotes("AAPL", 4)})
			if err != nil {
				break
			}
			out = append(out, evs...)
		}
		done <- out
	}()
	time.Sleep(time.Millisecond) // let publishing start, racing the subscribe
	o, sub := MustSubscribe(t, b, backend.SubscribeRequest{})
	published := <-done
	if o.Resumed || len(o.Snapshot) != 1 {
		t.Fatalf("fresh subscribe: resumed=%v snapshot %v, want one AAPL event", o.Resumed, latestIDs(o.Snapshot))
	}
	if head, _ := stock.ParseID(o.Snapshot[0].ID); head != o.Head {
		t.Fatalf("snapshot holds %s, head %d: the snapshot must be as of its head", o.Snapshot[0].ID, o.Head)
	}
	var want []string
	for _, ev := range published {
		if seq, _ := stock.ParseID(ev.ID); seq > o.Head {
			want = append(want, ev.ID)
		}
	}
	if got := ids(Receive(t, sub, len(want))); !slices.Equal(got, want) {
		t.Fatalf("live after head %d = %d events, want %d: none missing or twice", o.Head, len(got), len(want))
	}
}

func testFilter(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	start := MustPublish(t, b, append(Quotes("AAPL", 1), Quotes("MSFT", 1)...))
	o, sub := MustSubscribe(t, b, backend.SubscribeRequest{Symbols: []string{"MSFT"}})
	if len(o.Snapshot) != 1 || o.Snapshot[0].Symbol != "MSFT" {
		t.Fatalf("filtered snapshot %+v, want MSFT only", o.Snapshot)
	}
	evs := MustPublish(t, b, []stock.Quote{Quotes("AAPL", 1)[0], Quotes("MSFT", 1)[0], Quotes("GOOG", 1)[0]})
	if got := Receive(t, sub, 1); len(got) != 1 || got[0].Stock.ID != evs[1].ID {
		t.Fatalf("filtered live %v, want only %s", ids(got), evs[1].ID)
	}
	_, resumed := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: start[1].ID, Symbols: []string{"AAPL", "GOOG"}})
	if want, got := []string{evs[0].ID, evs[2].ID}, ids(Pending(resumed)); !slices.Equal(got, want) {
		t.Fatalf("filtered replay %v, want %v", got, want)
	}
}

// testSlowDropped publishes more events than a subscriber that never
// reads may fall behind (the history and the lag bound): it is ended with
// ErrSlowSubscriber, and a subscriber that reads gets every event.
func testSlowDropped(t *testing.T, nb Factory) {
	const history, queue = 8, 16
	b := open(t, nb, Config{History: history, Queue: queue})
	_, slow := MustSubscribe(t, b, backend.SubscribeRequest{})
	_, fast := MustSubscribe(t, b, backend.SubscribeRequest{})
	var got []*backend.Event
	var published []stock.StockPriceEvent
	for range 2 * queue {
		published = append(published, MustPublish(t, b, Quotes("AAPL", 1))...)
		got = append(got, Receive(t, fast, 1)...)
	}
	if err := WaitEnded(t, slow); !errors.Is(err, backend.ErrSlowSubscriber) {
		t.Fatalf("slow subscriber ended with %v, want ErrSlowSubscriber", err)
	}
	if !slices.Equal(ids(got), eventIDs(published)) {
		t.Fatalf("fast subscriber got %d events, want all %d in order", len(got), len(published))
	}
}

// testBurstLag publishes one batch larger than a subscriber may fall
// behind by default, but within what the broker holds: a subscriber that
// reads gets every event, in chunks, and is not ended.
func testBurstLag(t *testing.T, nb Factory) {
	const history, queue = 6000, 1000
	b := open(t, nb, Config{History: history, Queue: queue})
	_, sub := MustSubscribe(t, b, backend.SubscribeRequest{})
	burst := MustPublish(t, b, Quotes("AAPL", 5000))
	got := Receive(t, sub, len(burst))
	if !slices.Equal(ids(got), eventIDs(burst)) || sub.Err() != nil {
		t.Fatalf("after a burst of %d: got %d events, err %v; want all, in order, and the subscription alive", len(burst), len(got), sub.Err())
	}
}

// testReplayChunks resumes from far back: Next hands the replay over in
// pieces of at most the size asked, exactly the events after the id.
func testReplayChunks(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 5000})
	evs := MustPublish(t, b, Quotes("AAPL", 3000))
	_, sub := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: evs[0].ID})
	ready, _ := notifications(t, sub)
	deadline := time.After(10 * time.Second)
	var got []*backend.Event
	for len(got) < len(evs)-1 {
		chunk := sub.Next(nil, 256)
		if len(chunk) > 256 {
			t.Fatalf("Next(256) gave %d events", len(chunk))
		}
		got = append(got, chunk...)
		if len(chunk) > 0 {
			continue
		}
		select {
		case <-ready:
		case <-deadline:
			t.Fatalf("replay gave %d of %d events in 10s", len(got), len(evs)-1)
		}
	}
	if !slices.Equal(ids(got), eventIDs(evs[1:])) {
		t.Fatalf("chunked replay gave %d events, want the %d after the id, in order", len(got), len(evs)-1)
	}
}

// testMaxReplay resumes from an id the broker holds but further back than
// the replay bound: the stream opens with a snapshot.
func testMaxReplay(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 1000, MaxReplay: 100})
	evs := MustPublish(t, b, Quotes("AAPL", 300))
	if o, _ := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: evs[250].ID}); !o.Resumed {
		t.Fatal("a gap of 49 events with a bound of 100 got a snapshot")
	}
	o, _ := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: evs[10].ID})
	if o.Resumed || len(o.Snapshot) != 1 || o.Snapshot[0].ID != evs[299].ID {
		t.Fatalf("a gap of 289 events with a bound of 100: resumed=%v snapshot %v, want a snapshot of %s", o.Resumed, latestIDs(o.Snapshot), evs[299].ID)
	}
}

func testLatest(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	ctx := Ctx(t)
	if _, ok, err := b.Latest(ctx, "AAPL"); ok || err != nil {
		t.Fatalf("latest on empty broker: ok=%v err=%v", ok, err)
	}
	evs := MustPublish(t, b, append(Quotes("MSFT", 2), Quotes("AAPL", 2)...))
	ev, ok, err := b.Latest(ctx, "MSFT")
	if err != nil || !ok || ev.ID != evs[1].ID || ev.Price.String() != "100.02" {
		t.Fatalf("latest MSFT = %+v %v %v, want %+v", ev, ok, err, evs[1])
	}
	snap, err := b.Snapshot(ctx)
	if err != nil || !slices.Equal(latestIDs(snap), []string{evs[3].ID, evs[1].ID}) {
		t.Fatalf("snapshot %v %v, want AAPL %s then MSFT %s", latestIDs(snap), err, evs[3].ID, evs[1].ID)
	}
	if err := b.Ready(ctx); err != nil {
		t.Fatalf("ready: %v", err)
	}
}

func testClose(t *testing.T, nb Factory) {
	b := nb(t, Config{History: 10})
	_, sub := MustSubscribe(t, b, backend.SubscribeRequest{})
	if err := b.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := WaitEnded(t, sub); err == nil {
		t.Fatal("close ended the subscription without an error")
	}
}

func testConcurrentPublishers(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 10000})
	_, sub := MustSubscribe(t, b, backend.SubscribeRequest{})
	const writers, each = 4, 50
	errc := make(chan error, writers)
	for w := range writers {
		go func() {
			for range each {
				if _, err := b.Publish(Ctx(t), backend.PublishRequest{Quotes: Quotes(fmt.Sprintf("W%d", w), 2)}); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	for range writers {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	var last uint64
	for _, ev := range Receive(t, sub, writers*each*2) {
		if ev.Seq <= last {
			t.Fatalf("live events out of order: %d after %d", ev.Seq, last)
		}
		last = ev.Seq
	}
}

// open makes a broker that is closed with the test.
func open(t *testing.T, nb Factory, c Config) backend.Broker {
	b := nb(t, c)
	t.Cleanup(func() { b.Close() })
	return b
}
