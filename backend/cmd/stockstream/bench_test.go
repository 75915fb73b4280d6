package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/stock"
)

// BenchmarkClientThroughput measures the Go client end to end: a real
// server (the in-memory broker behind the HTTP server) streams live
// events over loopback to client.Subscribe, decoded into a Go consumer.
// The publisher feeds the broker directly, staying at most 50,000 events
// ahead of the consumer, so that the figure is the client's and the
// stream's, not that of publishing over HTTP. One op is one event.
func BenchmarkClientThroughput(b *testing.B) {
	broker := inmem.New(inmem.Options{History: 100_000, Queue: 1 << 17})
	defer broker.Close()
	srv := stockhttp.New(stockhttp.Config{Broker: broker, Logger: slog.New(slog.DiscardHandler)})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	var received atomic.Int64
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	go func() {
		quotes := make([]stock.Quote, 1000)
		for i := range quotes {
			quotes[i] = stock.Quote{Symbol: "S" + strconv.Itoa(i%20), Price: stock.PriceFromCents(int64(10000 + i))}
		}
		for sent := int64(0); ctx.Err() == nil; sent += int64(len(quotes)) {
			for sent-received.Load() > 50_000 && ctx.Err() == nil {
				time.Sleep(100 * time.Microsecond)
			}
			broker.Publish(ctx, backend.PublishRequest{Quotes: quotes})
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for m, err := range client.Subscribe(ctx, "http://"+l.Addr().String(), client.Options{}) {
		if err != nil {
			b.Fatal(err)
		}
		if m.Kind == client.Update {
			if n := received.Add(1); n == int64(b.N) {
				break
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPublishMax measures publish --speed max of a long CSV file of
// 100,000 prices into one server with the in-memory broker.
func BenchmarkPublishMax(b *testing.B) {
	const rows = 100_000
	var f strings.Builder
	f.WriteString("symbol,date,price\n")
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		fmt.Fprintf(&f, "S%d,%s,%d.%02d\n", i%50, start.Add(time.Duration(i)*time.Second).Format(time.RFC3339), 100+i%900, i%100)
	}
	file := writeFile(b, "bench.csv", []byte(f.String()))
	srv := startServe(b, "127.0.0.1:0", "--simulator=false", "--log-level", "warn")
	b.ResetTimer()
	for b.Loop() {
		code, _, errOut := runCLI(context.Background(), "", nil, "publish", "--to", srv.base, "--token", token, "--speed", "max", file)
		if code != exitOK {
			b.Fatalf("exit %d: %s", code, errOut)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "prices/s")
}
