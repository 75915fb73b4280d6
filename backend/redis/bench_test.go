package redis_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/shared/stock"
)

// BenchmarkCrossInstanceLatency publishes one event at a time through one
// broker and measures how long it takes to reach a subscriber of another
// broker on the same Redis: the publish→receive latency across instances.
func BenchmarkCrossInstanceLatency(b *testing.B) {
	srv := redistest.Start(b)
	prefix := newPrefix()
	pub := mustOpen(b, srv, redis.Options{History: 10000, Prefix: prefix})
	recv := mustOpen(b, srv, redis.Options{History: 10000, Prefix: prefix})
	_, sub := brokertest.MustSubscribe(b, recv, backend.SubscribeRequest{})
	ctx := brokertest.Ctx(b)
	quote := brokertest.Quotes("AAPL", 1)
	lat := make([]time.Duration, 0, b.N)
	var got []*backend.Event
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := pub.Publish(ctx, backend.PublishRequest{Quotes: quote}); err != nil {
			b.Fatal(err)
		}
		got = brokertest.Receive(b, sub, 1)[:0]
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	_ = got
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds())
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkLiveThroughput publishes from four goroutines in batches of
// 100 through one broker and measures the events per second another
// broker's reader delivers to its subscriber.
func BenchmarkLiveThroughput(b *testing.B) {
	const writers, batch = 4, 100
	srv := redistest.Start(b)
	prefix := newPrefix()
	pub := mustOpen(b, srv, redis.Options{History: 1_000_000, Prefix: prefix})
	recv := mustOpen(b, srv, redis.Options{History: 1_000_000, Prefix: prefix, Queue: 1 << 22})
	_, sub := brokertest.MustSubscribe(b, recv, backend.SubscribeRequest{})
	ctx := brokertest.Ctx(b)
	batches := max(1, b.N/batch)
	n := batches * batch
	quotes := brokertest.Quotes("AAPL", batch)
	b.ResetTimer()
	start := time.Now()
	publishConcurrently(ctx, b, pub, writers, batches, quotes)
	drain(b, sub, n)
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
}

func publishConcurrently(ctx context.Context, b *testing.B, pub backend.Broker, writers, batches int, quotes []stock.Quote) {
	var wg sync.WaitGroup
	next := make(chan struct{}, batches)
	for range batches {
		next <- struct{}{}
	}
	close(next)
	for range writers {
		wg.Go(func() {
			for range next {
				if _, err := pub.Publish(ctx, backend.PublishRequest{Quotes: quotes}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// drain receives n events, checking their order.
func drain(b *testing.B, sub backend.Subscription, n int) {
	var buf []*backend.Event
	var last uint64
	ready := make(chan bool, 1)
	sub.(backend.Notifier).Notify(func(ended bool) {
		select {
		case ready <- ended:
		default:
		}
	})
	deadline := time.After(2 * time.Minute)
	for got := 0; got < n; {
		buf = sub.Next(buf[:0], 1024)
		for _, ev := range buf {
			if ev.Seq <= last {
				b.Fatalf("event %d after %d", ev.Seq, last)
			}
			last = ev.Seq
		}
		if got += len(buf); len(buf) > 0 || got >= n {
			continue
		}
		select {
		case <-ready:
			if err := sub.Err(); err != nil {
				b.Fatalf("subscription ended: %v", err)
			}
		case <-deadline:
			b.Fatalf("received too few of %d events in 2 minutes", n)
		}
	}
}

// BenchmarkBarsMemory fills the bars of 1,000 symbols for 24 hours, one
// event per symbol and minute, and reports the memory Redis holds for
// their rings (MEMORY USAGE of every bars key) per 1,000 symbols.
func BenchmarkBarsMemory(b *testing.B) {
	const symbols = 1000
	srv := redistest.Start(b)
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		prefix := newPrefix()
		br := mustOpen(b, srv, redis.Options{History: 1, Prefix: prefix})
		qs := make([]stock.Quote, 24*60)
		for s := range symbols {
			for m := range qs {
				qs[m] = stock.Quote{Symbol: fmt.Sprintf("S%04d", s), Price: stock.PriceFromCents(int64(10000 + m)), Timestamp: start.Add(time.Duration(m) * time.Minute)}
			}
			brokertest.MustPublish(b, br, qs)
		}
		if bars, _ := br.Bars(brokertest.Ctx(b), "S0999"); len(bars) != 24*60 {
			b.Fatalf("%d bars of S0999, want 1,440", len(bars))
		}
		var held int64
		for s := range symbols {
			n, err := rdb.MemoryUsage(brokertest.Ctx(b), fmt.Sprintf("%sbars:S%04d", prefix, s)).Result()
			if err != nil {
				b.Fatal(err)
			}
			held += n
		}
		b.ReportMetric(float64(held)/(1<<20), "MiB/1000-symbols")
	}
}
