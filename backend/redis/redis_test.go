package redis_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/shared/stock"
)

// prefixes makes every broker of a test binary use its own keys, so tests
// can share one redis-server.
var prefixes atomic.Int64

func newPrefix() string { return fmt.Sprintf("test%d:", prefixes.Add(1)) }

// mustOpen opens a broker on srv, closed with the test.
func mustOpen(tb testing.TB, srv *redistest.Server, opts redis.Options) *redis.Broker {
	tb.Helper()
	if opts.Prefix == "" {
		opts.Prefix = newPrefix()
	}
	b, err := redis.Open(brokertest.Ctx(tb), srv.URL(0), opts)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

func TestBroker(t *testing.T) {
	srv := redistest.Start(t)
	brokertest.Run(t, func(tb testing.TB, c brokertest.Config) backend.Broker {
		return mustOpen(tb, srv, redis.Options{History: c.History, Queue: c.Queue, MaxReplay: c.MaxReplay, MaxSymbols: c.MaxSymbols})
	})
}

// alternate publishes through its brokers in turn.
type alternate struct {
	backend.Broker
	others []backend.Broker
	n      int
}

func (a *alternate) Publish(ctx context.Context, req backend.PublishRequest) ([]stock.StockPriceEvent, error) {
	a.n++
	if i := a.n % (len(a.others) + 1); i > 0 {
		return a.others[i-1].Publish(ctx, req)
	}
	return a.Broker.Publish(ctx, req)
}

// TestBarsSameOnEveryInstance publishes the bar fixture through two
// instances in turn: both answer the same bars, latest events and opens,
// as does an instance opened afterwards and one started after Redis
// restarted with its data; one more event is counted once.
func TestBarsSameOnEveryInstance(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	a := mustOpen(t, srv, redis.Options{History: 100, Prefix: prefix})
	b := mustOpen(t, srv, redis.Options{History: 100, Prefix: prefix})
	want := brokertest.PublishBars(t, &alternate{Broker: a, others: []backend.Broker{b}})
	brokertest.CheckBars(t, a, want)
	brokertest.CheckBars(t, b, want)
	snap := mustSnapshot(t, a)
	if other := mustSnapshot(t, b); fmt.Sprint(other) != fmt.Sprint(snap) {
		t.Fatalf("snapshots differ:\n%v\n%v", snap, other)
	}
	b.Close()
	brokertest.CheckBars(t, mustOpen(t, srv, redis.Options{History: 100, Prefix: prefix}), want)

	a.Close()
	srv.Stop(t)
	srv.Restart(t)
	c := mustOpen(t, srv, redis.Options{History: 100, Prefix: prefix})
	brokertest.CheckBars(t, c, want)
	if got := mustSnapshot(t, c); fmt.Sprint(got) != fmt.Sprint(snap) {
		t.Fatalf("snapshot after the restart:\n%v\nwant\n%v", got, snap)
	}
	last := &want[len(want)-1]
	brokertest.MustPublish(t, c, []stock.Quote{{Symbol: brokertest.BarsSymbol, Price: stock.MustParsePrice("10.40"), Timestamp: last.Start.Add(59 * time.Second)}})
	last.High, last.Close, last.Count = stock.MustParsePrice("10.40"), stock.MustParsePrice("10.40"), last.Count+1
	brokertest.CheckBars(t, c, want)
}

func mustSnapshot(t *testing.T, b backend.Broker) []stock.Latest {
	t.Helper()
	snap, err := b.Snapshot(brokertest.Ctx(t))
	if err != nil || len(snap) != 2 {
		t.Fatalf("snapshot %v %v, want BARS and OTHER", snap, err)
	}
	return snap
}

// TestBarsAndOpensMatchTheInMemoryBroker publishes the same random batches,
// up to the API's 5,000 events, with timestamps spread over three days and
// out of order, to a Redis broker and an in-memory one: the publish script
// must keep the rule of stock.MinuteBars and stock.SessionOpen exactly as
// the Go code does.
func TestBarsAndOpensMatchTheInMemoryBroker(t *testing.T) {
	srv := redistest.Start(t)
	r := mustOpen(t, srv, redis.Options{History: 100})
	m := inmem.New(inmem.Options{History: 100})
	defer m.Close()
	rng := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	symbols := []string{"A", "B", "C", "D", "E"}
	for _, n := range []int{1, 7, 300, 5000, 2, 1000} {
		qs := make([]stock.Quote, n)
		for i := range qs {
			qs[i] = stock.Quote{
				Symbol:    symbols[rng.IntN(len(symbols))],
				Price:     stock.PriceFromMicros(1 + rng.Int64N(5_000_000_000)),
				Timestamp: start.Add(time.Duration(rng.Int64N(int64(72 * time.Hour)))),
			}
		}
		brokertest.MustPublish(t, r, qs)
		brokertest.MustPublish(t, m, qs)
	}
	ctx := brokertest.Ctx(t)
	for _, sym := range symbols {
		got, err := r.Bars(ctx, sym)
		want, _ := m.Bars(ctx, sym)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("bars of %s: redis (%v)\n%v\nin memory\n%v", sym, err, got, want)
		}
		rl, _, err := r.Latest(ctx, sym)
		ml, _, _ := m.Latest(ctx, sym)
		if err != nil || rl.Price != ml.Price || rl.Open != ml.Open || !rl.Timestamp.Equal(ml.Timestamp) {
			t.Fatalf("latest of %s: redis %+v (%v), in memory %+v", sym, rl, err, ml)
		}
	}
}
