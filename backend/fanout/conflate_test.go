package fanout_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/stock"
)

func TestConflatedReadyOnlyAtItsTick(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := fanout.NewHub(2)
		defer h.Close()
		sub := add(h, nil, 100*time.Millisecond)
		h.Deliver(events(1, 5, "AAPL", "MSFT")) // more than the queue bound
		time.Sleep(99 * time.Millisecond)
		synctest.Wait()
		if ready(sub) {
			t.Fatal("conflated subscriber ready before its window ended")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if !ready(sub) {
			t.Fatal("conflated subscriber not ready when its window ended")
		}
		if got := seqs(sub.Next(nil)); got != "4MSFT 5AAPL " {
			t.Fatalf("conflated Next: %s, want the latest per symbol in id order", got)
		}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if ready(sub) || sub.Err() != nil {
			t.Fatalf("ready=%v err=%v after a window without events, want neither", ready(sub), sub.Err())
		}
	})
}

func TestOneTickerPerWindowLength(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := fanout.NewHub(0)
		var subs []*fanout.Subscriber
		for range 1000 {
			subs = append(subs, add(h, nil, 250*time.Millisecond))
		}
		fast := add(h, []string{"AAPL"}, 100*time.Millisecond)
		plain := add(h, nil, 0)
		if n := fanout.Windows(h); n != 2 {
			t.Fatalf("%d tickers for 1,001 conflated subscribers of two window lengths, want 2", n)
		}
		h.Deliver(events(1, 2, "AAPL", "MSFT"))
		time.Sleep(250 * time.Millisecond)
		synctest.Wait()
		for _, s := range subs {
			if got := seqs(s.Next(nil)); !ready(s) || got != "1AAPL 2MSFT " {
				t.Fatalf("a subscriber of the shared window got %q", got)
			}
		}
		if !ready(fast) || seqs(fast.Next(nil)) != "1AAPL " || !ready(plain) {
			t.Fatal("the other window or the plain subscriber missed the events")
		}
		for _, s := range subs {
			s.Close()
		}
		if n := fanout.Windows(h); n != 1 {
			t.Fatalf("%d tickers after the 250ms window's subscribers left, want 1", n)
		}
		h.Close() // stops the last ticker: the bubble ends with no goroutine left
		if n := fanout.Windows(h); n != 0 {
			t.Fatalf("%d tickers after Close", n)
		}
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
		h := fanout.NewHub(0)
		defer h.Close()
		start := time.Now()
		sub := add(h, nil, window)
		reads := make(chan []published)
		stop := make(chan struct{})
		go func() { // the stream's writer
			var got []published
			for {
				select {
				case <-readyOf(sub):
					for _, ev := range sub.Next(nil) {
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
			if want := seqs(sub.Conflate(in)); seqs(out) != want {
				t.Fatalf("window ending %v: got %s, want %s", end.Sub(start), seqs(out), want)
			}
		}
		if n := len(got); n != 10*3+3 {
			t.Fatalf("%d events in 10 windows, want 4 symbols in the first three and 3 in the others (33)", n)
		}
	})
}

func TestConflateReplay(t *testing.T) {
	h := fanout.NewHub(0)
	defer h.Close()
	replay := events(10, 7, "AAPL", "MSFT", "GOOG")
	if got := seqs(add(h, nil, 0).Conflate(replay)); got != seqs(replay) {
		t.Fatalf("plain subscriber's replay %s, want all of %s", got, seqs(replay))
	}
	if got := seqs(add(h, nil, time.Second).Conflate(replay)); got != "14MSFT 15GOOG 16AAPL " {
		t.Fatalf("conflated replay %s, want the latest per symbol in id order", got)
	}
}

func TestConflatedSkipThrough(t *testing.T) {
	h := fanout.NewHub(0)
	defer h.Close()
	sub := add(h, nil, time.Hour)
	h.Deliver(events(1, 4, "AAPL", "MSFT", "GOOG"))
	sub.SkipThrough(3) // MSFT 2 and GOOG 3 were in the replay
	sub.SkipThrough(1) // lower: no effect
	if got := seqs(sub.Next(nil)); got != "4AAPL " {
		t.Fatalf("after SkipThrough(3): %s, want only 4", got)
	}
	h.Deliver(events(3, 1, "MSFT")) // not newer than what the hub delivered: ignored
	h.Deliver(events(5, 1, "MSFT"))
	if got := seqs(sub.Next(nil)); got != "5MSFT " {
		t.Fatalf("then %s, want only 5", got)
	}
}

func TestConflatedSubscribersOfAWindowShareTheirFilter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := fanout.NewHub(0)
		defer h.Close()
		early := add(h, nil, 100*time.Millisecond)
		h.Deliver(events(1, 2, "AAPL", "MSFT"))
		late := add(h, nil, 100*time.Millisecond)
		msft := add(h, []string{"MSFT"}, 100*time.Millisecond)
		h.Deliver(events(3, 1, "GOOG"))
		if n := h.Len(); n != 3 {
			t.Fatalf("Len %d, want 3", n)
		}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if got := seqs(early.Next(nil)); !ready(early) || got != "1AAPL 2MSFT 3GOOG " {
			t.Fatalf("the first subscriber got %q", got)
		}
		if got := seqs(late.Next(nil)); !ready(late) || got != "3GOOG " {
			t.Fatalf("a subscriber that joined after 2 got %q, want only what followed", got)
		}
		if ready(msft) {
			t.Fatalf("the MSFT subscriber was made ready with %q; MSFT did not change since it joined", seqs(msft.Next(nil)))
		}
		h.Deliver(events(4, 1, "MSFT"))
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if got := seqs(msft.Next(nil)); !ready(msft) || got != "4MSFT " {
			t.Fatalf("the MSFT subscriber got %q", got)
		}
		late.Close()
		if n := h.Len(); n != 2 {
			t.Fatalf("Len %d after a Close, want 2", n)
		}
	})
}
