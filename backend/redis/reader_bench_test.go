package redis

import (
	"context"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
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
	hopts := reader.hubOpts
	hopts.Head = start
	reader.hub, reader.pos = fanout.NewHub(hopts), start
	sub, _ := reader.hub.Add(backend.SubscribeRequest{})
	b.ResetTimer()
	t0 := time.Now()
	reader.startReader()
	for got := 0; got < b.N; {
		n := len(sub.Next(nil, 1024))
		if got += n; n == 0 {
			if err := sub.Err(); err != nil {
				b.Fatalf("subscription ended: %v", err)
			}
			time.Sleep(time.Millisecond) // the reader is behind: poll
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
