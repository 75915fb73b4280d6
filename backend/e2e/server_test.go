package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/backend/pwa"
	"github.com/stockstream/stockstream/frontend/ui"
	"github.com/stockstream/stockstream/shared/stock"
)

// symbols are the symbols every test starts with.
var symbols = []string{"AAPL", "AMZN", "GOOG", "MSFT"}

// brokers maps the address of each running test server to its broker:
// go-app's pages are registered once per process, and the tests run
// servers side by side, so a page is rendered with the prices of the
// server it was asked from.
var brokers sync.Map // host:port → backend.Broker

// pages maps the address of each test server run from its command line
// (startFlagServer) to what its pages are rendered with.
var pages sync.Map // host:port → ui.Source

// TestMain registers the app's pages once, with the prices of the server
// each page is asked from.
func TestMain(m *testing.M) {
	broker := func(page *url.URL) (backend.Broker, bool) {
		b, ok := brokers.Load(page.Host)
		if !ok {
			return nil, false
		}
		return b.(backend.Broker), true
	}
	source := func(page *url.URL) (ui.Source, bool) {
		src, ok := pages.Load(page.Host)
		if !ok {
			return ui.Source{}, false
		}
		return src.(ui.Source), true
	}
	ui.Routes(ui.Source{
		Latest: func(page *url.URL) []stock.Latest {
			if src, ok := source(page); ok {
				if src.Latest == nil {
					return nil
				}
				return src.Latest(page)
			}
			b, ok := broker(page)
			if !ok {
				return nil
			}
			latest, _ := b.Snapshot(context.Background())
			return latest
		},
		Bars: func(page *url.URL, symbol string) []stock.Bar {
			if src, ok := source(page); ok {
				if src.Bars == nil {
					return nil
				}
				return src.Bars(page, symbol)
			}
			b, ok := broker(page)
			if !ok {
				return nil
			}
			bars, _ := b.Bars(context.Background(), symbol)
			return bars
		},
	})
	os.Exit(m.Run())
}

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
	s := &server{t: t, broker: b, addr: freeAddr(t), App: pwa.Handler()}
	brokers.Store(s.addr, b)
	t.Cleanup(func() { brokers.Delete(s.addr) })
	s.start()
	t.Cleanup(s.stop)
	return s
}

// stream publishes a new price for every symbol every interval until stop
// is called or the test ends; stop returns the id of the last event
// published. Each price differs from the symbol's last one, so that every
// tick moves every sparkline (the simulator's whole cents often stay put
// over a few milliseconds).
func (s *server) stream(syms []string, interval time.Duration) (stop func() string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var last string
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for n := int64(0); ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			quotes := make([]stock.Quote, len(syms))
			for i, sym := range syms {
				// A walk of 1 to 9 cents up and down around 100.
				cents := 10_000 + int64(i) + (n*7+int64(i)*3)%50 + n%2*50
				quotes[i] = stock.Quote{Symbol: sym, Price: stock.PriceFromCents(cents)}
			}
			evs, err := s.broker.Publish(ctx, backend.PublishRequest{Quotes: quotes})
			if err != nil {
				if ctx.Err() == nil {
					s.t.Errorf("publish: %v", err)
				}
				return
			}
			last = evs[len(evs)-1].ID
		}
	}()
	stop = sync.OnceValue(func() string {
		cancel()
		<-done
		return last
	})
	s.t.Cleanup(func() { stop() })
	return stop
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
	evs, err := s.broker.Publish(context.Background(), backend.PublishRequest{Quotes: quotes})
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

// openDashboard starts a server with a first price for every symbol and,
// when tick is not zero, a new price for each every tick; then a browser
// on its dashboard, once the page is live. It returns the first prices.
func openDashboard(t *testing.T, tick time.Duration) (*server, *browser, map[string]string) {
	t.Helper()
	s := startServer(t)
	want := s.seed()
	if tick > 0 {
		s.stream(symbols, tick)
	}
	b := newBrowser(t)
	b.navigate(s.URL() + "/")
	b.wait("badge live", statusIs("live"), 30*time.Second)
	return s, b, want
}
