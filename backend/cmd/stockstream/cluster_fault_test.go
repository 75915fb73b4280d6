package main

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/backend/streamtest"
)

// liveInstances is the set of instances a client may connect to; a
// restarted instance comes back on a new address.
type liveInstances struct {
	mu    sync.Mutex
	bases []string
}

func (l *liveInstances) set(i int, base string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bases[i] = base
}

// pick returns the stream URL of a random instance, as a load balancer
// without sticky sessions would.
func (l *liveInstances) pick(rng *rand.Rand) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bases[rng.IntN(len(l.bases))] + "/stocks"
}

// TestClusterNoEventLostUnderFaults has clients read a numbered sequence of
// prices from two Redis-backed instances, landing on a random instance at
// every reconnect, while they abort and stall at random and one instance is
// restarted: every client must see every price exactly once, in order.
func TestClusterNoEventLostUnderFaults(t *testing.T) {
	const clients, events = 12, 3000
	srv := redistest.Start(t)
	flags := []string{"--simulator=false", "--log-level", "warn", "--retry", "50ms", "--history", "100000"}
	insts := []*instance{startInstance(t, srv.URL(0), flags...), startInstance(t, srv.URL(0), flags...)}
	live := &liveInstances{bases: []string{insts[0].base, insts[1].base}}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pub, err := redis.Open(ctx, srv.URL(0), redis.Options{History: 100000})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()

	hc := &http.Client{Transport: &http.Transport{}}
	cs := make([]*streamtest.Client, clients)
	for i := range cs {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		cs[i] = &streamtest.Client{HTTP: hc, Rng: rng, URL: func() string { return live.pick(rng) }}
	}
	g := streamtest.Go(cs, func(c *streamtest.Client) error { return c.Run(ctx, events) })

	waitSubscribers(t, insts, clients)

	rng := rand.New(rand.NewPCG(3, 4))
	restarted := false
	for i := int64(1); i <= events; {
		n := min(int64(1+rng.IntN(40)), events-i+1)
		if _, err := pub.Publish(ctx, backend.PublishRequest{Quotes: streamtest.Sequence("SEQ", i, int(n))}); err != nil {
			t.Fatal(err)
		}
		i += n
		if !restarted && i > events/2 {
			insts[0].stop(t) // SIGTERM: its streams end, clients move on
			insts[0] = startInstance(t, srv.URL(0), flags...)
			live.set(0, insts[0].base)
			restarted = true
		}
		time.Sleep(time.Millisecond)
	}
	connects, aborts, err := g.Wait(events)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d clients × %d events over 2 instances, one restarted: %d connections, %d client aborts; 0 lost, 0 repeated",
		clients, events, connects, aborts)
}

// waitSubscribers waits until the instances hold n streams in all, so that
// every client starts before the first price.
func waitSubscribers(t *testing.T, insts []*instance, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		total := 0
		for _, in := range insts {
			total += subscribers(t, in)
		}
		if total >= n {
			return
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}
	t.Fatalf("%d clients did not connect within 30s", n)
}

// subscribers reads the stockstream_subscribers gauge of an instance,
// summed over its access classes.
func subscribers(t *testing.T, in *instance) int {
	resp, err := http.Get(in.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	n := 0
	for _, line := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, "stockstream_subscribers{"); ok {
			_, v, _ := strings.Cut(rest, "} ")
			k, _ := strconv.Atoi(v)
			n += k
		}
	}
	return n
}
