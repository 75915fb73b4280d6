package fanout_test

import (
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/stock"
)

// conflated is a request for every symbol, conflated over d.
func conflated(d time.Duration) backend.SubscribeRequest {
	return backend.SubscribeRequest{Conflate: d}
}

// latestPerSymbol keeps the last event of each symbol, in id order: what a
// conflated subscriber is sent of events.
func latestPerSymbol(evs []*backend.Event) []*backend.Event {
	last := map[string]uint64{}
	for _, ev := range evs {
		last[ev.Stock.Symbol] = ev.Seq
	}
	var out []*backend.Event
	for _, ev := range evs {
		if last[ev.Stock.Symbol] == ev.Seq {
			out = append(out, ev)
		}
	}
	return out
}

func TestConflatedReadyOnlyAtItsTick(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHub(2, 0)
		defer h.Close()
		sub := add(h, conflated(100*time.Millisecond))
		h.Deliver(events(1, 5, "AAPL", "MSFT")) // more than the ring
		time.Sleep(99 * time.Millisecond)
		synctest.Wait()
		if sub.ready1() {
			t.Fatal("conflated subscriber ready before its window ended")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if !sub.ready1() {
			t.Fatal("conflated subscriber not ready when its window ended")
		}
		if got := seqs(sub.all()); got != "4MSFT 5AAPL " {
			t.Fatalf("conflated Next: %s, want the latest per symbol in id order", got)
		}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if sub.ready1() || sub.Err() != nil {
			t.Fatalf("ready=%v err=%v after a window without events, want neither", sub.ready1(), sub.Err())
		}
	})
}

// TestOneGoroutineTicksEveryWindow conflates subscribers over hundreds of
// window lengths: the hub ticks them all from one goroutine, and stops it
// when the last window goes.
func TestOneGoroutineTicksEveryWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHub(10, 0)
		before := runtime.NumGoroutine()
		var subs []*watched
		for i := range 500 {
			subs = append(subs, add(h, conflated(time.Duration(10+i)*time.Millisecond)))
		}
		fast := add(h, backend.SubscribeRequest{Symbols: []string{"AAPL"}, Conflate: 100 * time.Millisecond})
		direct := add(h, plain)
		if n := fanout.Windows(h); n != 500 {
			t.Fatalf("%d windows for 501 conflated subscribers of 500 window lengths", n)
		}
		if n := runtime.NumGoroutine() - before; n != 1 {
			t.Fatalf("%d goroutines tick 500 window lengths, want 1", n)
		}
		h.Deliver(events(1, 2, "AAPL", "MSFT"))
		time.Sleep(510 * time.Millisecond)
		synctest.Wait()
		for _, s := range subs {
			if got := seqs(s.all()); !s.ready1() || got != "1AAPL 2MSFT " {
				t.Fatalf("a conflated subscriber got %q", got)
			}
		}
		if !fast.ready1() || seqs(fast.all()) != "1AAPL " || !direct.ready1() {
			t.Fatal("the filtered window or the plain subscriber missed the events")
		}
		for _, s := range subs {
			s.Close()
		}
		if n := fanout.Windows(h); n != 1 {
			t.Fatalf("%d windows after 500 windows' subscribers left, want 1", n)
		}
		fast.Close()
		synctest.Wait()
		if n := runtime.NumGoroutine() - before; n != 0 {
			t.Fatalf("%d goroutines left once no window is", n)
		}
		h.Close()
	})
}

// published is an event and when it was delivered.
type published struct {
	at time.Time
	ev *backend.Event
}

// TestConflatedWindowsAt1000PerSecond delivers 1,000 events/s on 4 symbols
// (GOOG only in the first 300 ms) to a subscriber conflated over 100 ms:
// every window delivers exactly the latest event of each symbol changed in
// it, in id order, and nothing else.
func TestConflatedWindowsAt1000PerSecond(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const window = 100 * time.Millisecond
		h := newHub(10, 0)
		defer h.Close()
		start := time.Now()
		sub := add(h, conflated(window))
		reads := make(chan []published)
		stop := make(chan struct{})
		go func() { // the stream's writer
			var got []published
			for {
				select {
				case <-sub.ready:
					for _, ev := range sub.all() {
						got = append(got, published{time.Now(), ev})
					}
				case <-stop:
					reads <- got
					return
				}
			}
		}()
		var sent []published
		time.Sleep(window / 200) // between ticks: half a millisecond
		for i := range 1000 {
			sym := []string{"AAPL", "MSFT", "GOOG", "AMZN"}[i%4]
			if sym == "GOOG" && time.Since(start) > 300*time.Millisecond {
				sym = "AAPL"
			}
			ev := backend.NewEvent(uint64(i+1), stock.StockPriceEvent{Symbol: sym, Price: stock.PriceFromCents(int64(10000 + i)), Timestamp: time.Now()})
			h.Deliver([]*backend.Event{ev})
			sent = append(sent, published{time.Now(), ev})
			time.Sleep(time.Millisecond)
		}
		time.Sleep(3 * window)
		close(stop)
		got := <-reads
		for end := start.Add(window); end.Before(start.Add(1100 * time.Millisecond)); end = end.Add(window) {
			var in, out []*backend.Event
			for _, p := range sent {
				if p.at.After(end.Add(-window)) && !p.at.After(end) {
					in = append(in, p.ev)
				}
			}
			for _, p := range got {
				if p.at.Equal(end) {
					out = append(out, p.ev)
				}
			}
			if want := seqs(latestPerSymbol(in)); seqs(out) != want {
				t.Fatalf("window ending %v: got %s, want %s", end.Sub(start), seqs(out), want)
			}
		}
		if n := len(got); n != 10*3+3 {
			t.Fatalf("%d events in 10 windows, want 4 symbols in the first three and 3 in the others (33)", n)
		}
	})
}

func TestConflatedResume(t *testing.T) {
	h := newHub(100, 0)
	defer h.Close()
	h.Deliver(events(1, 9, "AAPL", "MSFT", "GOOG"))
	sub, resumed := h.Add(backend.SubscribeRequest{LastEventID: "2", Conflate: time.Hour})
	if got := seqs(sub.Next(nil, 2)); !resumed || got != "7AAPL 8MSFT " {
		t.Fatalf("conflated resume from 2, two at a time: resumed=%v %s, want 7AAPL 8MSFT", resumed, got)
	}
	if got := seqs(sub.Next(nil, 2)); got != "9GOOG " {
		t.Fatalf("then %s, want 9GOOG", got)
	}
	if got := sub.Next(nil, 2); len(got) != 0 {
		t.Fatalf("then %s, want nothing until a tick", seqs(got))
	}
}

func TestConflatedSkipThrough(t *testing.T) {
	h := newHub(10, 0)
	defer h.Close()
	sub := add(h, conflated(time.Hour))
	h.Deliver(events(1, 4, "AAPL", "MSFT", "GOOG"))
	sub.SkipThrough(3) // MSFT 2 and GOOG 3 were in the snapshot
	sub.SkipThrough(1) // lower: no effect
	if got := seqs(sub.all()); got != "4AAPL " {
		t.Fatalf("after SkipThrough(3): %s, want only 4", got)
	}
	h.Deliver(events(5, 1, "MSFT"))
	if got := seqs(sub.all()); got != "5MSFT " {
		t.Fatalf("then %s, want only 5", got)
	}
}

func TestConflatedSubscribersOfAWindowShareTheirFilter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHub(10, 0)
		defer h.Close()
		early := add(h, conflated(100*time.Millisecond))
		h.Deliver(events(1, 2, "AAPL", "MSFT"))
		late := add(h, conflated(100*time.Millisecond))
		msft := add(h, backend.SubscribeRequest{Symbols: []string{"MSFT"}, Conflate: 100 * time.Millisecond})
		h.Deliver(events(3, 1, "GOOG"))
		if n := h.Len(); n != 3 {
			t.Fatalf("Len %d, want 3", n)
		}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if got := seqs(early.all()); !early.ready1() || got != "1AAPL 2MSFT 3GOOG " {
			t.Fatalf("the first subscriber got %q", got)
		}
		if got := seqs(late.all()); !late.ready1() || got != "3GOOG " {
			t.Fatalf("a subscriber that joined after 2 got %q, want only what followed", got)
		}
		if msft.ready1() {
			t.Fatalf("the MSFT subscriber was made ready with %q; MSFT did not change since it joined", seqs(msft.all()))
		}
		h.Deliver(events(4, 1, "MSFT"))
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if got := seqs(msft.all()); !msft.ready1() || got != "4MSFT " {
			t.Fatalf("the MSFT subscriber got %q", got)
		}
		late.Close()
		if n := h.Len(); n != 2 {
			t.Fatalf("Len %d after a Close, want 2", n)
		}
	})
}
