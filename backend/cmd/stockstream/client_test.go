package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/backend/streamtest"
	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/client"
)

// TestClientExactlyOnceThroughFaults reads numbered prices with the Go
// client through a proxy that resets and cuts connections, through a 503
// window with Retry-After, a server restart (Redis keeps the history) and
// a consumer slow enough to be cut by the server: every price arrives
// exactly once, in order, and no snapshot stands in for lost events.
func TestClientExactlyOnceThroughFaults(t *testing.T) {
	rds := redistest.Start(t)
	flags := []string{"--broker", rds.URL(0), "--simulator=false", "--retry", "50ms", "--heartbeat", "200ms", "--queue", "64", "--history", "100000"}
	srv := startServe(t, "127.0.0.1:0", flags...)
	proxy := streamtest.NewProxy(t, srv.addr)

	const n = 3000
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var reconnects atomic.Int64
	var saw503 atomic.Bool
	var seen atomic.Int64 // prices received so far
	got := make(chan []int64, 1)
	errc := make(chan error, 1)
	connected := make(chan struct{})
	go func() {
		var prices []int64
		defer func() { got <- prices }()
		opts := client.Options{Connection: client.Connection{
			Backoff: backoff.Policy{Base: 20 * time.Millisecond, Max: 300 * time.Millisecond}, ReadTimeout: 5 * time.Second,
			OnReconnect: func(r client.Reconnect) {
				reconnects.Add(1)
				var se *client.StatusError
				if errors.As(r.Err, &se) && se.Code == 503 && r.Wait >= time.Second {
					saw503.Store(true) // Retry-After: 1 was honoured
				}
				t.Logf("reconnect %d after %v, in %s", r.Attempt, r.Err, r.Wait)
			},
		}}
		for m, err := range client.Subscribe(ctx, proxy.URL, opts) {
			if err != nil {
				errc <- err
				return
			}
			if m.Kind == client.Snapshot {
				if len(prices) > 0 || m.Missed || len(m.Snapshot) > 0 {
					t.Errorf("snapshot %+v after %d prices: events were lost", m, len(prices))
				}
				close(connected) // a second snapshot panics: it would be a failure anyway
				continue
			}
			prices = append(prices, m.Event.Price.Micros()/10_000)
			seen.Store(int64(len(prices)))
			if len(prices)%700 == 0 {
				time.Sleep(400 * time.Millisecond) // slow enough to overflow a queue of 64
			}
			if len(prices) == n {
				errc <- nil
				return
			}
		}
	}()

	select {
	case <-connected:
	case err := <-errc:
		t.Fatalf("client ended: %v", err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	publish := func(from, to int, fault func()) {
		for c := from; c <= to; c += 20 {
			postPrices(t, srv.base, centsBody("NUM", c, min(20, to-c+1)))
			if rng.IntN(6) == 0 {
				fault()
			}
			time.Sleep(time.Millisecond)
		}
	}
	chaos := func() {
		if rng.IntN(2) == 0 {
			proxy.Reset()
		} else {
			proxy.Cut()
		}
	}
	publish(1, 1000, chaos)

	proxy.Refuse(true) // a 503 window: new connections are told to come back later
	proxy.Cut()
	publish(1001, 1500, func() {})
	time.Sleep(1500 * time.Millisecond)
	proxy.Refuse(false)

	waitSeen := func(k int64) {
		for deadline := time.Now().Add(time.Minute); seen.Load() < k; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the client saw %d prices, not %d, within a minute", seen.Load(), k)
			}
		}
	}
	waitSeen(1500) // the client is connected again: the restart cuts its stream
	srv.stop()     // a restart on the same address and the same Redis
	publish2 := startServe(t, srv.addr, flags...)
	srv = publish2
	publish(1501, 2200, func() {})
	publish(2201, n, chaos)

	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("client ended: %v", err)
		}
	case <-ctx.Done():
		t.Fatalf("client did not see price %d in time", n)
	}
	cancel()
	if err := streamtest.Check(<-got, n); err != nil {
		t.Fatal(err)
	}
	if !saw503.Load() {
		t.Error("the 503 window was not seen, or its Retry-After not honoured")
	}
	if reconnects.Load() < 5 {
		t.Errorf("only %d reconnects: the faults did not bite", reconnects.Load())
	}
	t.Logf("%d prices exactly once through %d reconnects", n, reconnects.Load())
}

// TestClientResumesAfterBeingCutAsTooSlow: a consumer that stops reading
// is cut by the server once its socket took nothing for the write timeout
// (the client buffers nothing of its own), and then resumes exactly where
// it was, since the server still holds every event after it.
func TestClientResumesAfterBeingCutAsTooSlow(t *testing.T) {
	srv := startServe(t, "127.0.0.1:0", "--simulator=false", "--history", "200000", "--max-replay", "200000")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const n = 100_000 // far more than the socket buffers hold
	var prices []int64
	var reconnects []error
	opts := client.Options{Connection: client.Connection{
		Backoff:     backoff.Policy{Base: 10 * time.Millisecond, Max: 100 * time.Millisecond},
		OnReconnect: func(r client.Reconnect) { reconnects = append(reconnects, r.Err) },
	}}
	for m, err := range client.Subscribe(ctx, srv.base, opts) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind == client.Snapshot {
			if m.Missed {
				t.Fatalf("resumed with a snapshot after %d prices", len(prices))
			}
			// Stop reading while everything is published.
			for c := 1; c <= n; c += 5000 {
				postPrices(t, srv.base, centsBody("SLOW", c, 5000))
			}
			for metricValue(t, srv.base, `stockstream_streams_closed_total{reason="write_timeout",transport="http1"}`) == 0 {
				if ctx.Err() != nil {
					t.Fatal("the server never cut the stalled client")
				}
				time.Sleep(10 * time.Millisecond)
			}
			continue
		}
		if prices = append(prices, m.Event.Price.Micros()/10_000); len(prices) == n {
			break
		}
	}
	if err := streamtest.Check(prices, n); err != nil {
		t.Fatal(err)
	}
	if len(reconnects) == 0 {
		t.Fatal("no reconnect: the cut was not seen")
	}
	t.Logf("cut as too slow, resumed after %v", reconnects)
}
