// Command profserver serves the stockstream stream and publish API exactly
// as bin/stockstream wires them (in-memory broker, metrics, backend/http),
// plus net/http/pprof and runtime memory statistics on a second loopback
// port, so that the server can be profiled under the load generator without
// changing the server itself.
//
//	profserver --addr 127.0.0.1:18080 --pprof 127.0.0.1:6061 --token t
package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/backend/metrics"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "stream and API address")
	pprofAddr := flag.String("pprof", "127.0.0.1:6061", "pprof and /memstats address")
	token := flag.String("token", "t", "publish token")
	history := flag.Int("history", 10000, "events kept for Last-Event-ID replay")
	lifetime := flag.Duration("lifetime", 10*time.Minute, "exit after this long")
	profileRate := flag.Int("memprofilerate", runtime.MemProfileRate, "bytes per sampled allocation in heap profiles (1: every allocation)")
	flag.Parse()
	runtime.MemProfileRate = *profileRate

	m := metrics.New()
	b := inmem.New(inmem.Options{History: *history, Queue: 4096})
	defer b.Close()
	srv := stockhttp.New(stockhttp.Config{
		Broker: m.Counting(b), Metrics: m,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		PublishToken: *token, MaxStreams: 50000,
	})
	http.HandleFunc("/memstats", serveMemStats)
	go func() { log.Println(http.ListenAndServe(*pprofAddr, nil)) }()

	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *lifetime)
	defer cancel()
	go func() {
		<-ctx.Done()
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		srv.Shutdown(sctx)
	}()
	srv.Serve(l)
}

// serveMemStats reports where the heap and stacks go, with the number of
// goroutines, as JSON.
func serveMemStats(w http.ResponseWriter, _ *http.Request) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	json.NewEncoder(w).Encode(map[string]uint64{
		"goroutines": uint64(runtime.NumGoroutine()),
		"heap_inuse": ms.HeapInuse, "heap_alloc": ms.HeapAlloc,
		"stack_inuse": ms.StackInuse, "sys": ms.Sys, "heap_objects": ms.HeapObjects,
	})
}
