package delay_test

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/delay"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/shared/stock"
)

const window = 15 * time.Minute

// start makes an in-memory broker and a View of it, closed with the test.
func start(t *testing.T) (*inmem.Broker, *delay.View) {
	t.Helper()
	b := inmem.New(inmem.Options{History: 100000})
	v, err := delay.Start(context.Background(), b, delay.Options{Delay: window, History: 100000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		v.Close()
		b.Close()
	})
	return b, v
}

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

// TestEveryEventExactlyTheDelayLate publishes events over twenty minutes:
// a delayed reader gets each one, with its own id, in id order, no earlier
// than 15 minutes after it was accepted and within a second of it; the
// snapshot and latest price show only what is that old.
func TestEveryEventExactlyTheDelayLate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, v := start(t)
		_, sub := brokertest.MustSubscribe(t, v, backend.SubscribeRequest{})
		type at struct {
			ev stock.StockPriceEvent
			t  time.Time
		}
		var published []at
		for range 20 {
			for _, ev := range brokertest.MustPublish(t, b, append(brokertest.Quotes("AAPL", 2), brokertest.Quotes("MSFT", 1)...)) {
				published = append(published, at{ev, time.Now()})
			}
			time.Sleep(time.Minute)
		}
		// 20 minutes in, the events of minutes 0 to 5 are 15 minutes old.
		synctest.Wait()
		got := brokertest.Pending(sub)
		if len(got) != 18 {
			t.Fatalf("%d events released 20 minutes in, want the 18 published in minutes 0 to 5", len(got))
		}
		for i, ev := range got {
			if ev.Stock != published[i].ev {
				t.Fatalf("released %+v as event %d, want %+v", ev.Stock, i, published[i].ev)
			}
		}
		if l, ok, _ := v.Latest(context.Background(), "AAPL"); !ok || l.ID != published[16].ev.ID {
			t.Fatalf("delayed latest AAPL %s, want %s of minute 5", l.ID, published[16].ev.ID)
		}
		snap, _ := v.Snapshot(context.Background())
		if len(snap) != 2 || snap[0].ID != published[16].ev.ID || snap[1].ID != published[17].ev.ID {
			t.Fatalf("delayed snapshot %+v, want minute 5's AAPL and MSFT", snap)
		}
		// Each minute's events are released no earlier than 15 minutes
		// after they were accepted, and within a second of it.
		for m := 6; m < 20; m++ {
			batch := published[3*m : 3*m+3]
			time.Sleep(time.Until(batch[0].t.Add(window)) - time.Millisecond)
			synctest.Wait()
			if n := len(brokertest.Pending(sub)); n != 0 {
				t.Fatalf("minute %d: %d events released before their 15 minutes", m, n)
			}
			time.Sleep(time.Second)
			synctest.Wait()
			got := brokertest.Pending(sub)
			if len(got) != 3 || got[0].Stock != batch[0].ev || got[2].Stock != batch[2].ev {
				t.Fatalf("minute %d: released %v within a second of its 15 minutes, want its 3 events", m, ids(got))
			}
		}
	})
}

// TestDelayedResumeIsExact resumes a delayed reader from a delayed id: it
// gets exactly the released events after it, then the rest as they
// mature; an id from the live stream not yet released gets a snapshot.
func TestDelayedResumeIsExact(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, v := start(t)
		first := brokertest.MustPublish(t, b, brokertest.Quotes("AAPL", 5))
		time.Sleep(time.Minute)
		second := brokertest.MustPublish(t, b, brokertest.Quotes("AAPL", 5))
		time.Sleep(window - 30*time.Second) // the first are 15:30 old, the second 14:30
		synctest.Wait()
		o, sub := brokertest.MustSubscribe(t, v, backend.SubscribeRequest{LastEventID: first[1].ID})
		if got := ids(brokertest.Pending(sub)); !o.Resumed || !slices.Equal(got, eventIDs(first[2:])) {
			t.Fatalf("resume from %s: resumed=%v %v, want exactly %v", first[1].ID, o.Resumed, got, eventIDs(first[2:]))
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := ids(brokertest.Pending(sub)); !slices.Equal(got, eventIDs(second)) {
			t.Fatalf("then %v, want %v", got, eventIDs(second))
		}
		live := brokertest.MustPublish(t, b, brokertest.Quotes("AAPL", 1))
		if o, _ := brokertest.MustSubscribe(t, v, backend.SubscribeRequest{LastEventID: live[0].ID}); o.Resumed {
			t.Fatal("a delayed resume from a live id not yet released resumed: it would leak live data")
		}
	})
}

// TestBarsShowWholeMinutesByTheHorizon: delayed bars are the broker's,
// up to the last minute that ended 15 minutes ago.
func TestBarsShowWholeMinutesByTheHorizon(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, v := start(t)
		time.Sleep(time.Until(time.Now().Truncate(time.Minute).Add(time.Minute))) // at a minute's start
		for range 30 {
			brokertest.MustPublish(t, b, brokertest.Quotes("AAPL", 1))
			time.Sleep(time.Minute)
		}
		live, _ := b.Bars(context.Background(), "AAPL")
		delayed, _ := v.Bars(context.Background(), "AAPL")
		horizon := time.Now().Add(-window)
		if len(live) != 30 || len(delayed) != 15 || delayed[14].Start.Add(time.Minute).After(horizon) || delayed[14] != live[14] {
			t.Fatalf("%d live bars, %d delayed ending %v; want 30 and the 15 whole minutes up to %v", len(live), len(delayed), delayed[len(delayed)-1].Start, horizon)
		}
	})
}

// TestWindowHoldsEachEventOnce: many delayed readers share the window; it
// holds each event accepted in the last delay once, and lets it go when
// released.
func TestWindowHoldsEachEventOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, v := start(t)
		for range 1000 {
			brokertest.MustSubscribe(t, v, backend.SubscribeRequest{})
		}
		for range 10 {
			brokertest.MustPublish(t, b, brokertest.Quotes("AAPL", 100))
			time.Sleep(time.Minute)
		}
		synctest.Wait()
		if n := v.Window(); n != 1000 {
			t.Fatalf("the window holds %d events for 1,000 readers, want the 1,000 published once", n)
		}
		time.Sleep(window)
		synctest.Wait()
		if n := v.Window(); n != 0 {
			t.Fatalf("the window holds %d events after all were released", n)
		}
	})
}

// TestSameDelayedEventsOnEveryRedisInstance runs a View on each of two
// Redis-backed instances with a short delay: readers on both get the same
// events with the same ids as a live reader, each at least the delay after
// the live one saw it.
func TestSameDelayedEventsOnEveryRedisInstance(t *testing.T) {
	const short = 2 * time.Second
	srv := redistest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	open := func() (backend.Broker, *delay.View) {
		b, err := redis.Open(ctx, srv.URL(0), redis.Options{History: 1000})
		if err != nil {
			t.Fatal(err)
		}
		v, err := delay.Start(ctx, b, delay.Options{Delay: short, History: 1000})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			v.Close()
			b.Close()
		})
		return b, v
	}
	a, va := open()
	_, vb := open()
	_, live := brokertest.MustSubscribe(t, a, backend.SubscribeRequest{})
	_, onA := brokertest.MustSubscribe(t, va, backend.SubscribeRequest{})
	_, onB := brokertest.MustSubscribe(t, vb, backend.SubscribeRequest{})
	published := brokertest.MustPublish(t, a, brokertest.Quotes("AAPL", 20))
	seen := time.Now()
	liveGot := brokertest.Receive(t, live, 20)
	for name, sub := range map[string]backend.Subscription{"A": onA, "B": onB} {
		got := brokertest.Receive(t, sub, 20)
		if took := time.Since(seen); took < short-50*time.Millisecond {
			t.Fatalf("instance %s released after %v, want at least %v", name, took, short)
		}
		if !slices.Equal(ids(got), ids(liveGot)) || !slices.Equal(ids(got), eventIDs(published)) {
			t.Fatalf("instance %s released %v, want the live ids %v", name, ids(got), ids(liveGot))
		}
	}
}

// TestStartRefusesNoDelay: a View needs a positive delay.
func TestStartRefusesNoDelay(t *testing.T) {
	b := inmem.New(inmem.Options{History: 10})
	defer b.Close()
	if _, err := delay.Start(context.Background(), b, delay.Options{}); err == nil {
		t.Fatal("started without a delay")
	}
}

// TestStartedLateKnowsTheWindow starts a View twenty minutes after events
// began: from what the broker holds it releases at once what is older
// than the delay and holds the rest, so it agrees with a View that ran
// all along.
func TestStartedLateKnowsTheWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := inmem.New(inmem.Options{History: 100000})
		defer b.Close()
		early, err := delay.Start(context.Background(), b, delay.Options{Delay: window, History: 100000})
		if err != nil {
			t.Fatal(err)
		}
		defer early.Close()
		var published []stock.StockPriceEvent
		for range 20 {
			published = append(published, brokertest.MustPublish(t, b, append(brokertest.Quotes("AAPL", 1), brokertest.Quotes("MSFT", 1)...))...)
			time.Sleep(time.Minute)
		}
		late, err := delay.Start(context.Background(), b, delay.Options{Delay: window, History: 100000})
		if err != nil {
			t.Fatal(err)
		}
		defer late.Close()
		synctest.Wait()
		if n := late.Window(); n != 2*14 {
			t.Fatalf("a View started 20 minutes in holds %d events, want the 28 of the last 14 minutes", n)
		}
		for _, v := range []*delay.View{early, late} {
			snap, _ := v.Snapshot(context.Background())
			if len(snap) != 2 || snap[0].ID != published[10].ID || snap[1].ID != published[11].ID {
				t.Fatalf("delayed snapshot %+v, want minute 5's AAPL %s and MSFT %s", snap, published[10].ID, published[11].ID)
			}
		}
		_, sub := brokertest.MustSubscribe(t, late, backend.SubscribeRequest{})
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := ids(brokertest.Pending(sub)); !slices.Equal(got, eventIDs(published[12:14])) {
			t.Fatalf("a minute later the late View released %v, want minute 6's %v", got, eventIDs(published[12:14]))
		}
	})
}
