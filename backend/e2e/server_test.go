package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/backend/pwa"
	"github.com/stockstream/stockstream/shared/stock"
)

// symbols are the symbols every test starts with.
var symbols = []string{"AAPL", "AMZN", "GOOG", "MSFT"}

// current is the broker of the running test server, whose latest prices
// the page is rendered with.
var current atomic.Pointer[backend.Broker]

// app is the PWA handler, built once: go-app registers routes globally.
var app = pwa.Handler(func() []stock.Latest {
	b := current.Load()
	if b == nil {
		return nil
	}
	evs, _ := (*b).Snapshot(context.Background())
	return evs
})

// server is the stockstream server on a fixed 127.0.0.1 port, so that it
// can be stopped and started again where the browser expects it.
type server struct {
	t      testing.TB
	broker backend.Broker
	addr   string
	srv    *stockhttp.Server
	done   chan error
	// App is the PWA handler the next start serves.
	App http.Handler
}

// startServer starts a server with a fresh in-memory broker on a free port.
func startServer(t testing.TB) *server {
	t.Helper()
	if err := pwa.Built(); err != nil {
		t.Fatalf("the frontend is not embedded (%v): run make wasm first", err)
	}
	var b backend.Broker = inmem.New(inmem.Options{History: 10_000})
	t.Cleanup(func() { b.Close() })
	current.Store(&b)
	s := &server{t: t, broker: b, addr: freeAddr(t), App: app}
	s.start()
	t.Cleanup(s.stop)
	return s
}

// URL returns the base URL of the server.
func (s *server) URL() string { return "http://" + s.addr }

// start serves on the server's address; it retries briefly while the port
// is still being released by a previous run.
func (s *server) start() {
	s.t.Helper()
	var l net.Listener
	var err error
	for range 50 {
		if l, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("listen %s: %v", s.addr, err)
	}
	s.srv = stockhttp.New(stockhttp.Config{
		Broker:    s.broker,
		App:       s.App,
		Heartbeat: time.Second,
		Retry:     300 * time.Millisecond,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	s.done = make(chan error, 1)
	srv, done := s.srv, s.done
	go func() { done <- srv.Serve(l) }()
}

// stop shuts the server down; the broker keeps its events.
func (s *server) stop() {
	if s.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.t.Errorf("shutdown: %v", err)
	}
	if err := <-s.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.t.Errorf("serve: %v", err)
	}
	s.srv = nil
}

// publish publishes one price per symbol, in order, and returns the events.
func (s *server) publish(prices ...string) []stock.StockPriceEvent {
	s.t.Helper()
	if len(prices)%2 != 0 {
		s.t.Fatal("publish wants symbol, price pairs")
	}
	var quotes []stock.Quote
	for i := 0; i < len(prices); i += 2 {
		quotes = append(quotes, stock.Quote{Symbol: prices[i], Price: stock.MustParsePrice(prices[i+1])})
	}
	evs, err := s.broker.Publish(context.Background(), quotes)
	if err != nil {
		s.t.Fatalf("publish: %v", err)
	}
	return evs
}

// seed publishes a first price for every symbol.
func (s *server) seed() map[string]string {
	want := map[string]string{}
	var pairs []string
	for i, sym := range symbols {
		p := strconv.Itoa(100+i*10) + ".25"
		want[sym] = p
		pairs = append(pairs, sym, p)
	}
	s.publish(pairs...)
	return want
}

// freeAddr returns a 127.0.0.1 address that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprintf("127.0.0.1:%d", l.Addr().(*net.TCPAddr).Port)
}
