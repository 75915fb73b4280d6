package redis_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
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
	brokertest.Run(t, func(tb testing.TB, history, queue int) backend.Broker {
		return mustOpen(tb, srv, redis.Options{History: history, Queue: queue})
	})
}

// alternate publishes through its brokers in turn.
type alternate struct {
	backend.Broker
	others []backend.Broker
	n      int
}

func (a *alternate) Publish(ctx context.Context, quotes []stock.Quote) ([]stock.StockPriceEvent, error) {
	a.n++
	if i := a.n % (len(a.others) + 1); i > 0 {
		return a.others[i-1].Publish(ctx, quotes)
	}
	return a.Broker.Publish(ctx, quotes)
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
