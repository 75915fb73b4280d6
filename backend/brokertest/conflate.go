package brokertest

import (
	"slices"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// interleaved returns n quotes cycling through symbols, priced 1.01,
// 1.02, …, so that each price says which quote it was.
func interleaved(n int, symbols ...string) []stock.Quote {
	qs := make([]stock.Quote, n)
	for i := range qs {
		qs[i] = stock.Quote{Symbol: symbols[i%len(symbols)], Price: stock.PriceFromCents(int64(101 + i))}
	}
	return qs
}

// lastPerSymbol returns the ids of the last event of each symbol, in id
// order.
func lastPerSymbol(evs []stock.StockPriceEvent) []string {
	last := map[string]string{}
	for _, ev := range evs {
		last[ev.Symbol] = ev.ID
	}
	var out []string
	for _, ev := range evs {
		if last[ev.Symbol] == ev.ID {
			out = append(out, ev.ID)
		}
	}
	return out
}

func testConflatedResume(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 1000})
	start := MustPublish(t, b, interleaved(3, "AAPL", "MSFT", "GOOG"))
	after := MustPublish(t, b, append(interleaved(7, "AAPL", "MSFT"), Quotes("AMZN", 1)...))
	// An hour's window never ticks during the test: only the replay counts.
	o, sub := MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: start[2].ID, Conflate: time.Hour})
	if !o.Resumed {
		t.Fatal("conflated resume from a held id got a snapshot")
	}
	if want, got := lastPerSymbol(after), ids(Pending(sub)); !slices.Equal(got, want) {
		t.Fatalf("conflated replay %v, want the latest of each changed symbol in id order %v", got, want)
	}
	_, sub = MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: start[2].ID, Conflate: time.Hour, Symbols: []string{"MSFT"}})
	if want, got := after[5].ID, Pending(sub); len(got) != 1 || got[0].Stock.ID != want {
		t.Fatalf("filtered conflated replay %v, want only MSFT's latest %s", ids(got), want)
	}
}

// testConflatedLive publishes a burst on two symbols to a conflated
// subscriber and reads until both symbols' last events arrived: every read
// holds at most one event per symbol, ids strictly increase and nothing but
// published events arrives.
func testConflatedLive(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 1000})
	_, sub := MustSubscribe(t, b, backend.SubscribeRequest{Conflate: 20 * time.Millisecond})
	ready, _ := notifications(t, sub)
	var published []stock.StockPriceEvent
	for range 20 {
		published = append(published, MustPublish(t, b, interleaved(10, "AAPL", "MSFT"))...)
	}
	want := lastPerSymbol(published)
	sent := map[string]bool{}
	for _, ev := range published {
		sent[ev.ID] = true
	}
	got := map[string]string{}
	var last uint64
	deadline := time.After(10 * time.Second)
	for got["AAPL"] != want[0] || got["MSFT"] != want[1] {
		select {
		case <-ready:
		case <-deadline:
			t.Fatalf("latest per symbol %v after 10s, want AAPL %s and MSFT %s", got, want[0], want[1])
		}
		seen := map[string]bool{}
		for _, ev := range sub.Next(nil, 100) {
			if !sent[ev.Stock.ID] || seen[ev.Stock.Symbol] || ev.Seq <= last {
				t.Fatalf("conflated read: %s %s after id %d, symbols %v: want one published event per symbol, ids increasing",
					ev.Stock.ID, ev.Stock.Symbol, last, seen)
			}
			seen[ev.Stock.Symbol], last, got[ev.Stock.Symbol] = true, ev.Seq, ev.Stock.ID
		}
	}
}

func testConflatedNeverOverflows(t *testing.T, nb Factory) {
	const queue = 16
	b := open(t, nb, Config{History: 1000, Queue: queue})
	_, sub := MustSubscribe(t, b, backend.SubscribeRequest{Conflate: 10 * time.Millisecond})
	published := MustPublish(t, b, interleaved(20*queue, "AAPL", "MSFT", "GOOG"))
	got := Receive(t, sub, 3)
	if want := lastPerSymbol(published); !slices.Equal(ids(got), want) {
		t.Fatalf("a conflated subscriber that read late got %v, want only the latest per symbol %v", ids(got), want)
	}
	if sub.Err() != nil {
		t.Fatalf("conflated subscriber ended: %v", sub.Err())
	}
}
