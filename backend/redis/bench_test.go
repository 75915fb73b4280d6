package redis_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

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
		if _, err := pub.Publish(ctx, quote); err != nil {
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
				if _, err := pub.Publish(ctx, quotes); err != nil {
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
	ready := backend.ReadyChan(sub)
	deadline := time.After(2 * time.Minute)
	for got := 0; got < n; {
		select {
		case <-ready:
			buf = sub.Next(buf[:0])
			for _, ev := range buf {
				if ev.Seq <= last {
					b.Fatalf("event %d after %d", ev.Seq, last)
				}
				last = ev.Seq
			}
			got += len(buf)
		case <-sub.Done():
			b.Fatalf("subscription ended: %v", sub.Err())
		case <-deadline:
			b.Fatal(fmt.Sprintf("received too few of %d events in 2 minutes", n))
		}
	}
}
