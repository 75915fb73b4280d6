package inmem_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/stock"
)

// benchQuotes returns n quotes on 4 symbols without timestamps: Publish
// stamps them with the clock, as for the simulator and most API calls.
func benchQuotes(n int) []stock.Quote {
	qs := make([]stock.Quote, n)
	for i := range qs {
		qs[i] = stock.Quote{Symbol: []string{"AAPL", "MSFT", "GOOG", "AMZN"}[i%4], Price: stock.PriceFromCents(int64(10000 + i))}
	}
	return qs
}

// BenchmarkPublishBarsShare publishes batches of 1 and 100 events on 4
// symbols and, alternating with the publishes, counts the same events in
// minute bars alone: the work the bars add to every publish. Each side is
// timed over blocks of batches, so that reading the clock weighs on
// neither, and side by side, so that the machine's load weighs on both
// alike. It reports the time per event of each and the bars' share.
func BenchmarkPublishBarsShare(b *testing.B) {
	const block = 64 // batches per timed block
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			br := inmem.New(inmem.Options{History: 10000})
			defer br.Close()
			qs := benchQuotes(n)
			rings := map[string]*stock.MinuteBars{}
			ringOf := make([]*stock.MinuteBars, n) // the broker finds them with the symbol's other state
			for i, q := range qs {
				if rings[q.Symbol] == nil {
					rings[q.Symbol] = new(stock.MinuteBars)
				}
				ringOf[i] = rings[q.Symbol]
			}
			ctx := context.Background()
			var publish, count time.Duration
			for b.Loop() {
				start := time.Now()
				for range block {
					if _, err := br.Publish(ctx, backend.PublishRequest{Quotes: qs}); err != nil {
						b.Fatal(err)
					}
				}
				published := time.Now()
				evs := backend.Stamp(qs, published)
				counting := time.Now()
				for range block {
					for i := range evs {
						ringOf[i].Count(evs[i].Timestamp, evs[i].Price)
					}
				}
				publish, count = publish+published.Sub(start), count+time.Since(counting)
			}
			events := float64(b.N * block * n)
			b.ReportMetric(float64(publish.Nanoseconds())/events, "ns/event-publish")
			b.ReportMetric(float64(count.Nanoseconds())/events, "ns/event-bars")
			b.ReportMetric(100*float64(count)/float64(publish), "bars-%-of-publish")
			b.ReportMetric(events/publish.Seconds(), "events/s")
		})
	}
}

// BenchmarkBarsMemory fills the bars of 1,000 symbols for 24 hours, one
// event per symbol and minute, and reports the heap they hold per 1,000
// symbols (with each symbol's latest event and open, which the broker
// keeps beside its bars).
func BenchmarkBarsMemory(b *testing.B) {
	const symbols = 1000
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		before := heapInUse()
		br := inmem.New(inmem.Options{History: 1})
		qs := make([]stock.Quote, symbols)
		for m := range 24 * 60 {
			for s := range qs {
				qs[s] = stock.Quote{Symbol: fmt.Sprintf("S%04d", s), Price: stock.PriceFromCents(int64(10000 + m)), Timestamp: start.Add(time.Duration(m) * time.Minute)}
			}
			if _, err := br.Publish(context.Background(), backend.PublishRequest{Quotes: qs}); err != nil {
				b.Fatal(err)
			}
		}
		held := heapInUse() - before
		if bars, _ := br.Bars(context.Background(), "S0999"); len(bars) != 24*60 {
			b.Fatalf("%d bars of S0999, want 1,440", len(bars))
		}
		b.ReportMetric(float64(held)/(1<<20), "MiB/1000-symbols")
		br.Close()
	}
}

// BenchmarkMemoryPerSymbol publishes one price for each of 10,000 symbols
// (the default --max-symbols), 12 characters long, with prices and ids of
// the longest form, and reports the heap the broker holds per symbol: its
// latest event with the event's encoded frame (also the one event of the
// symbol in the replay history), session open, bars and map entry. The
// history ring itself is allocated before and not counted.
func BenchmarkMemoryPerSymbol(b *testing.B) {
	for b.Loop() {
		perSymbol, br := memoryPerSymbol(b, 10000)
		b.ReportMetric(perSymbol, "B/symbol")
		br.Close()
	}
}

// memoryPerSymbol publishes one price for each of n symbols to a new broker
// and returns the heap it holds afterwards per symbol, and the broker.
func memoryPerSymbol(tb testing.TB, n int) (float64, *inmem.Broker) {
	br := inmem.New(inmem.Options{History: n})
	before := heapInUse()
	publishSymbols(tb, br, n)
	return float64(heapInUse()-before) / float64(n), br
}

// publishSymbols publishes one price of the longest form for each of n
// symbols of 12 characters, in batches of 5,000 (the API's largest).
func publishSymbols(tb testing.TB, br backend.Broker, n int) {
	ts := time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)
	qs := make([]stock.Quote, n)
	for i := range qs {
		qs[i] = stock.Quote{Symbol: fmt.Sprintf("SYMBOL%06d", i), Price: stock.MustParsePrice("999999999.999999"), Timestamp: ts}
	}
	for batch := range slices.Chunk(qs, 5000) {
		if _, err := br.Publish(context.Background(), backend.PublishRequest{Quotes: batch}); err != nil {
			tb.Fatal(err)
		}
	}
}

// heapInUse returns the bytes of live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
