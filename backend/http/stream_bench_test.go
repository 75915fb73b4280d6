package http_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// benchStreams is a real server on loopback with n open streams, each read
// by a goroutine that counts the live events it receives.
type benchStreams struct {
	broker   *inmem.Broker
	received atomic.Uint64
	target   atomic.Uint64 // waitReceived is woken when received reaches it
	reached  chan struct{}
	conns    []net.Conn
	wg       sync.WaitGroup
}

// startBenchStreams serves an in-memory broker on 127.0.0.1 and opens n
// streams to it; everything is torn down with the benchmark.
func startBenchStreams(b *testing.B, n int) *benchStreams {
	b.Helper()
	bs := &benchStreams{
		broker:  inmem.New(inmem.Options{History: 1000, Queue: 1 << 16}),
		reached: make(chan struct{}, 1),
	}
	srv := stockhttp.New(stockhttp.Config{
		Broker: bs.broker,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	b.Cleanup(func() {
		for _, c := range bs.conns {
			c.Close()
		}
		bs.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		bs.broker.Close()
	})
	for range n {
		bs.open(b, l.Addr().String())
	}
	// Every stream has its response headers, so every subscriber is
	// registered: events published from now on reach all of them.
	return bs
}

// open dials one stream and starts its reader.
func (bs *benchStreams) open(b *testing.B, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	bs.conns = append(bs.conns, c)
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/stocks", nil)
	if err := req.Write(c); err != nil {
		b.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("opening stream: %v %v", err, resp)
	}
	bs.wg.Go(func() {
		r := sse.NewReader(resp.Body, 16<<10)
		for {
			ev, err := r.Next()
			if err != nil {
				return
			}
			if string(ev.Type) == stock.EventUpdate && bs.received.Add(1) == bs.target.Load() {
				select {
				case bs.reached <- struct{}{}:
				default:
				}
			}
		}
	})
}

// waitReceived waits until the readers have received want events in all.
func (bs *benchStreams) waitReceived(b *testing.B, want uint64) {
	bs.target.Store(want)
	if bs.received.Load() >= want {
		select { // the last reader may have signalled already
		case <-bs.reached:
		default:
		}
		return
	}
	select {
	case <-bs.reached:
	case <-time.After(30 * time.Second):
		b.Fatalf("received %d of %d events", bs.received.Load(), want)
	}
}

// BenchmarkStreamWrite measures the HTTP stream write path end to end over
// loopback: an op publishes a batch of events through the broker and waits
// until every stream has read it. batch=1 is one write and one flush per
// event and stream; batch=8 shows what coalescing a burst into one flush
// buys. Allocations are those of the whole process (server and readers) per
// delivered event.
func BenchmarkStreamWrite(b *testing.B) {
	for _, c := range []struct{ streams, batch int }{{1, 1}, {100, 1}, {100, 8}, {1000, 1}} {
		b.Run(fmt.Sprintf("streams=%d/batch=%d", c.streams, c.batch), func(b *testing.B) {
			bs := startBenchStreams(b, c.streams)
			quotes := make([]stock.Quote, c.batch)
			for i := range quotes {
				quotes[i] = stock.Quote{Symbol: "AAPL", Price: stock.MustParsePrice("118.88")}
			}
			ctx := context.Background()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := bs.broker.Publish(ctx, backend.PublishRequest{Quotes: quotes}); err != nil {
					b.Fatal(err)
				}
				bs.waitReceived(b, uint64(i+1)*uint64(c.batch*c.streams))
			}
			b.StopTimer()
			runtime.ReadMemStats(&m1)
			deliveries := float64(b.N) * float64(c.batch*c.streams)
			b.ReportMetric(deliveries/b.Elapsed().Seconds(), "deliveries/s")
			b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/deliveries, "allocs/delivery")
			b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/deliveries, "B/delivery")
		})
	}
}
