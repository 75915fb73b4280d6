package redis

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/shared/stock"
)

// BenchmarkPublishBarsShare runs the publish script on batches of 1 and
// 100 events on 4 symbols, alternating the full script with the same
// script given no partial bars (which then skips every bar read and
// write): the Redis publish path with and without bars, side by side. It
// reports the time per event of each and what the bars add.
func BenchmarkPublishBarsShare(b *testing.B) {
	srv := redistest.Start(b)
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			ctx := context.Background()
			br, err := Open(ctx, srv.URL(0), Options{History: 10000, Prefix: fmt.Sprintf("bench%d:", n)})
			if err != nil {
				b.Fatal(err)
			}
			defer br.Close()
			qs := make([]stock.Quote, n)
			for i := range qs {
				qs[i] = stock.Quote{Symbol: []string{"AAPL", "MSFT", "GOOG", "AMZN"}[i%4], Price: stock.PriceFromCents(int64(10000 + i))}
			}
			var with, without time.Duration
			for b.Loop() {
				now := time.Now().Truncate(time.Microsecond)
				events := backend.Stamp(qs, now)
				keys, args := br.scriptArgs(backend.PublishRequest{Quotes: qs}, events, now)
				start := time.Now()
				if err := publishScript.Run(ctx, br.rdb, keys, args...).Err(); err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				if err := publishScript.Run(ctx, br.rdb, keys, withoutBars(args, n)...).Err(); err != nil {
					b.Fatal(err)
				}
				with, without = with+mid.Sub(start), without+time.Since(mid)
			}
			events := float64(b.N * n)
			b.ReportMetric(float64(with.Nanoseconds())/events, "ns/event-with-bars")
			b.ReportMetric(float64(without.Nanoseconds())/events, "ns/event-without")
			b.ReportMetric(100*float64(with-without)/float64(without), "bars-%-added")
		})
	}
}

// withoutBars returns the script arguments for n events with no partial
// bars: nine come first (history, time, floor, cap, the counts of events,
// symbols and bars, digest, receipt lifetime), then the events' and
// symbols' arguments, then the bars'.
func withoutBars(args []any, n int) []any {
	out := append([]any(nil), args[:9+3*n+4*args[5].(int)]...)
	out[6] = 0
	return out
}
