package http_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/backend/streamtest"
)

// serveOn starts a server for broker b on 127.0.0.1:0 and returns it with
// its base URL.
func serveOn(t *testing.T, b backend.Broker) (*stockhttp.Server, string) {
	srv := stockhttp.New(stockhttp.Config{Broker: b, Logger: quietLogger()})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return srv, "http://" + l.Addr().String()
}

// TestShutdownUnderLoadClientsResumeElsewhere holds two thousand open streams
// on server A while prices flow, shuts A down (as SIGTERM does), and has
// every client resume on server B, which shares the broker, with its last
// id: A must stop within the 10 s bound and no client may miss a price.
func TestShutdownUnderLoadClientsResumeElsewhere(t *testing.T) {
	const clients, events = 2000, 60
	b := inmem.New(inmem.Options{History: events * 2})
	defer b.Close()
	a, urlA := serveOn(t, b)
	_, urlB := serveOn(t, b)
	tr := &http.Transport{MaxIdleConnsPerHost: -1}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	cs := make([]*streamtest.Client, clients)
	for i := range cs {
		cs[i] = &streamtest.Client{HTTP: hc}
	}
	g := streamtest.Go(cs, func(c *streamtest.Client) error { return twoServers(ctx, c, urlA, urlB, events) })
	// Every client holds an id before A goes away: one cut before its
	// opening was written would rightly get a fresh snapshot on B.
	if err := g.WaitOpened(ctx); err != nil {
		t.Fatal(err)
	}

	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := int64(1); i <= events; i++ {
			b.Publish(ctx, backend.PublishRequest{Quotes: streamtest.Sequence("SEQ", i, 1)})
			time.Sleep(2 * time.Millisecond)
		}
	}()
	time.Sleep(40 * time.Millisecond) // shut down mid-stream, as prices flow
	start := time.Now()
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := a.Shutdown(sctx); err != nil {
		t.Fatalf("shutdown with %d open streams: %v", clients, err)
	}
	took := time.Since(start)
	<-published
	if _, _, err := g.Wait(events); err != nil {
		t.Fatal(err)
	}
	t.Logf("shutdown with %d open streams took %s; all resumed on the other server, 0 lost", clients, took.Round(time.Millisecond))
}

// twoServers reads from urlA until that stream ends, then resumes on urlB
// with the last id until the last price arrives.
func twoServers(ctx context.Context, c *streamtest.Client, urlA, urlB string, last int64) error {
	c.URL = func() string { return urlA + "/stocks" }
	if done, err := c.Session(ctx, last); done || err != nil {
		return err
	}
	c.URL = func() string { return urlB + "/stocks" }
	return c.Run(ctx, last)
}
