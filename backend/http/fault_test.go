package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// chaosListener remembers accepted connections so a test can kill them
// from the server side.
type chaosListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *chaosListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

// killOne closes a random accepted connection, as a crashed proxy would.
func (l *chaosListener) killOne(rng *rand.Rand) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.conns) == 0 {
		return
	}
	i := rng.IntN(len(l.conns))
	l.conns[i].Close()
	l.conns = append(l.conns[:i], l.conns[i+1:]...)
}

// faultClient reads the stream, reconnecting with its last id after every
// drop, until it has seen the price of the last published event.
type faultClient struct {
	url      string
	hc       *http.Client
	rng      *rand.Rand // nil: never aborts or stalls on its own
	aborts   *atomic.Int64
	lastID   string
	prices   []int64 // cents, in arrival order
	connects int
}

func (c *faultClient) run(ctx context.Context, lastCents int64) error {
	for ctx.Err() == nil {
		if done, err := c.session(ctx, lastCents); done || err != nil {
			return err
		}
	}
	return ctx.Err()
}

// session is one connection: it resumes by header or by query at random and
// may abort itself after a random number of events, or pause reading.
func (c *faultClient) session(ctx context.Context, lastCents int64) (bool, error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", c.url, nil)
	if c.lastID != "" {
		if c.rng == nil || c.rng.IntN(2) == 0 {
			req.Header.Set("Last-Event-ID", c.lastID)
		} else {
			req.URL.RawQuery = "lastEventId=" + c.lastID
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return false, nil // server-side kill during connect: retry
	}
	defer resp.Body.Close()
	c.connects++
	r := sse.NewReader(resp.Body, 1<<20)
	abortAfter := -1
	if c.rng != nil {
		abortAfter = 50 + c.rng.IntN(400)
	}
	for n := 0; ; n++ {
		ev, err := r.Next()
		if err != nil {
			return false, nil // dropped: resume
		}
		switch ev.Event {
		case "snapshot":
			if c.lastID != "" {
				return false, errors.New("got a snapshot on resume from " + c.lastID + ": events were lost")
			}
		case "stockUpdate":
			var e stock.StockPriceEvent
			if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
				return false, err
			}
			cents := e.Price.Micros() / 10_000
			c.prices = append(c.prices, cents)
			if cents == lastCents {
				c.lastID = r.LastEventID()
				return true, nil
			}
		}
		c.lastID = r.LastEventID()
		if n == abortAfter {
			c.aborts.Add(1)
			return false, nil // client abort
		}
		if c.rng != nil && c.rng.IntN(500) == 0 {
			time.Sleep(time.Duration(c.rng.IntN(300)) * time.Millisecond) // a stall
		}
	}
}

// TestNoEventLostUnderFaults has many clients read a numbered sequence of
// prices while connections drop: clients abort, the server side kills
// connections, and stalled readers are cut as slow. Every client must see
// every price exactly once, in order.
func TestNoEventLostUnderFaults(t *testing.T) {
	const clients, events = 24, 6000
	b := inmem.New(inmem.Options{History: events + 10, Queue: 256})
	srv := stockhttp.New(stockhttp.Config{Broker: b, Logger: quietLogger()})
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &chaosListener{Listener: raw}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())
	url := "http://" + raw.Addr().String() + "/stocks"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var aborts atomic.Int64
	cs := make([]*faultClient, clients)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range cs {
		cs[i] = &faultClient{url: url, hc: client, rng: rand.New(rand.NewPCG(uint64(i), 42)), aborts: &aborts}
		wg.Go(func() { errs <- cs[i].run(ctx, events) })
	}
	waitSubscribers(t, srv, clients)

	rng := rand.New(rand.NewPCG(1, 2))
	kills := 0
	for i := int64(1); i <= events; {
		n := min(int64(1+rng.IntN(60)), events-i+1)
		qs := make([]stock.Quote, n)
		for j := range qs {
			qs[j] = stock.Quote{Symbol: "SEQ", Price: stock.PriceFromCents(i + int64(j))}
		}
		if _, err := b.Publish(ctx, qs); err != nil {
			t.Fatal(err)
		}
		i += n
		if rng.IntN(10) == 0 {
			l.killOne(rng)
			kills++
		}
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	connects := 0
	for i, c := range cs {
		connects += c.connects
		if len(c.prices) != events {
			t.Fatalf("client %d saw %d prices, want %d", i, len(c.prices), events)
		}
		for j, p := range c.prices {
			if p != int64(j+1) {
				t.Fatalf("client %d: price #%d is %d cents, want %d (lost, repeated or out of order)", i, j+1, p, j+1)
			}
		}
	}
	t.Logf("%d clients × %d events: %d connections, %d client aborts, %d server-side kills, %s slow-subscriber cuts; 0 lost, 0 repeated",
		clients, events, connects, aborts.Load(), kills, metric(t, "http://"+raw.Addr().String(), "stockstream_subscribers_dropped_slow_total"))
	if connects <= clients {
		t.Fatal("no connection was ever dropped: the test proved nothing")
	}
}

// waitSubscribers waits until n streams are open.
func waitSubscribers(t *testing.T, srv *stockhttp.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if got := gaugeValue(t, srv); got >= float64(n) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%d subscribers did not connect", n)
}

func gaugeValue(t *testing.T, srv *stockhttp.Server) float64 {
	mfs, err := srv.Metrics().Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "stockstream_subscribers" {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	return 0
}
