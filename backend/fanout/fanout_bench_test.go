package fanout_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/stock"
)

// benchEvent returns a typical live event with its frame encoded.
func benchEvent(seq uint64) *backend.Event {
	return backend.NewEvent(seq, stock.StockPriceEvent{
		Symbol:    "AAPL",
		Price:     stock.MustParsePrice("118.88"),
		Timestamp: time.Date(2026, 11, 24, 7, 50, 15, 123456789, time.UTC),
	})
}

// mallocs returns the number of heap allocations so far.
func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// BenchmarkHubDeliver measures Hub.Deliver of one event to every subscriber:
// the publisher's side of the fan-out. Queues are drained outside the timer
// every 1,000 events so that no subscriber overflows.
func BenchmarkHubDeliver(b *testing.B) {
	for _, n := range []int{1, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) {
			h := fanout.NewHub(fanout.Options{History: 4096})
			defer h.Close()
			subs := make([]*fanout.Subscriber, n)
			for i := range subs {
				subs[i], _ = h.Add(backend.SubscribeRequest{})
			}
			var dst []*backend.Event
			drain := func() {
				for _, s := range subs {
					dst = s.Next(dst[:0], 1000)
				}
			}
			start := mallocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h.Deliver([]*backend.Event{benchEvent(uint64(i + 1))})
				if i%1000 == 999 {
					b.StopTimer()
					drain()
					b.StartTimer()
				}
			}
			b.StopTimer()
			deliveries := float64(b.N) * float64(n)
			b.ReportMetric(deliveries/b.Elapsed().Seconds(), "deliveries/s")
			b.ReportMetric(float64(mallocs()-start)/deliveries, "allocs/delivery")
		})
	}
}

// BenchmarkFanout measures the whole in-process fan-out: one event delivered
// to 1,000 subscribers, each drained by its own goroutine as the HTTP
// goroutine with a goroutine of its own does (wait for a notification, take
// the batch with Next). An op ends when every subscriber has taken the
// event.
func BenchmarkFanout(b *testing.B) {
	const n = 1000
	h := fanout.NewHub(fanout.Options{History: 4096})
	var wg sync.WaitGroup
	var got sync.WaitGroup
	for range n {
		s, _ := h.Add(backend.SubscribeRequest{})
		ready := make(chan bool, 1)
		s.Notify(func(ended bool) {
			select {
			case ready <- ended:
			default:
			}
		})
		wg.Go(func() {
			var batch []*backend.Event
			for ended := range ready {
				if ended {
					return
				}
				batch = s.Next(batch[:0], 1000)
				for range batch {
					got.Done()
				}
				clear(batch)
			}
		})
	}
	start := mallocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got.Add(n)
		h.Deliver([]*backend.Event{benchEvent(uint64(i + 1))})
		got.Wait()
	}
	b.StopTimer()
	deliveries := float64(b.N) * n
	b.ReportMetric(deliveries/b.Elapsed().Seconds(), "deliveries/s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(mallocs()-start)/deliveries, "allocs/delivery")
	h.Close() // ends every subscription: the drainers return
	wg.Wait()
}
