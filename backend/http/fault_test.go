package http_test

import (
	"context"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/backend/streamtest"
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

	cs := make([]*streamtest.Client, clients)
	for i := range cs {
		cs[i] = &streamtest.Client{HTTP: client, URL: func() string { return url }, Rng: rand.New(rand.NewPCG(uint64(i), 42))}
	}
	g := streamtest.Go(cs, func(c *streamtest.Client) error { return c.Run(ctx, events) })
	waitSubscribers(t, srv, clients)

	rng := rand.New(rand.NewPCG(1, 2))
	kills := 0
	for i := int64(1); i <= events; {
		n := min(int64(1+rng.IntN(60)), events-i+1)
		if _, err := b.Publish(ctx, backend.PublishRequest{Quotes: streamtest.Sequence("SEQ", i, int(n))}); err != nil {
			t.Fatal(err)
		}
		i += n
		if rng.IntN(10) == 0 {
			l.killOne(rng)
			kills++
		}
		time.Sleep(time.Millisecond)
	}
	connects, aborts, err := g.Wait(events)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d clients × %d events: %d connections, %d client aborts, %d server-side kills, %s slow-subscriber cuts; 0 lost, 0 repeated",
		clients, events, connects, aborts, kills, metric(t, "http://"+raw.Addr().String(), "stockstream_subscribers_dropped_slow_total"))
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
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() == "stockstream_subscribers" {
			for _, m := range mf.GetMetric() {
				sum += m.GetGauge().GetValue()
			}
		}
	}
	return sum
}
