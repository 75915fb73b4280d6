package redis

import (
	"context"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/shared/stock"
)

// BenchmarkReaderCatchUp measures how many events per second one
// instance's reader takes from Redis, decodes, encodes once and hands to
// its fan-out: the stream is filled first, then a second broker's reader
// starts before the first event and reads the backlog as fast as it can.
func BenchmarkReaderCatchUp(b *testing.B) {
	srv := redistest.Start(b)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	opts := Options{History: b.N + 1000, Queue: b.N + 1}
	pub, err := Open(ctx, srv.URL(0), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	start := fill(ctx, b, pub, b.N)
	target, _ := parseURL(srv.URL(0))
	reader := newBroker(target, opts)
	defer reader.Close()
	sub, _, _ := reader.register(nil, 0)
	ready := backend.ReadyChan(sub)
	b.ResetTimer()
	t0 := time.Now()
	reader.start(start)
	for got := 0; got < b.N; {
		select {
		case <-ready:
			got += len(sub.Next(nil))
		case <-sub.Done():
			b.Fatalf("subscription ended: %v", sub.Err())
		case <-ctx.Done():
			b.Fatal(ctx.Err())
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "events/s")
}

// fill publishes n events in batches and returns the id before the first.
func fill(ctx context.Context, b *testing.B, br *Broker, n int) uint64 {
	start, err := br.head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	quotes := make([]stock.Quote, 500)
	for i := range quotes {
		quotes[i] = stock.Quote{Symbol: "AAPL", Price: stock.PriceFromCents(int64(10000 + i))}
	}
	for left := n; left > 0; left -= len(quotes) {
		evs, err := br.Publish(ctx, backend.PublishRequest{Quotes: quotes[:min(left, len(quotes))]})
		if err != nil {
			b.Fatal(err)
		}
		if first, _ := stock.ParseID(evs[0].ID); left == n && first <= start {
			b.Fatalf("first id %d, not after %d", first, start)
		}
	}
	return start
}
