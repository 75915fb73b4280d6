package redis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/shared/stock"
)

// eventually polls cond until it holds, failing after 15 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 15s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// seqs returns the ids of events.
func seqs(evs []*backend.Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, ev := range evs {
		out[i] = ev.Seq
	}
	return out
}

func TestSameIDsOnEveryInstance(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	a := mustOpen(t, srv, redis.Options{History: 100, Prefix: prefix})
	b := mustOpen(t, srv, redis.Options{History: 100, Prefix: prefix})
	_, subA := brokertest.MustSubscribe(t, a, backend.SubscribeRequest{})
	first := brokertest.MustPublish(t, b, brokertest.Quotes("AAPL", 3))
	if got := brokertest.Receive(t, subA, 3); got[0].Stock.ID != first[0].ID || got[2].Stock.ID != first[2].ID {
		t.Fatalf("instance A received %v, B published %v", seqs(got), first)
	}
	more := brokertest.MustPublish(t, a, brokertest.Quotes("MSFT", 2))
	o, sub := brokertest.MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: first[2].ID})
	if got := brokertest.Receive(t, sub, 2); !o.Resumed || got[0].Stock.ID != more[0].ID || got[1].Stock.ID != more[1].ID {
		t.Fatalf("resume on B after A's id %s: resumed=%v got %v, want %s %s", first[2].ID, o.Resumed, seqs(got), more[0].ID, more[1].ID)
	}
}

func TestRedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	sub := mustOpen(t, srv, redis.Options{History: 1000, Prefix: prefix})
	pub := mustOpen(t, srv, redis.Options{History: 1000, Prefix: prefix})
	ctx := brokertest.Ctx(t)
	_, s := brokertest.MustSubscribe(t, sub, backend.SubscribeRequest{})
	before := brokertest.MustPublish(t, pub, brokertest.Quotes("AAPL", 5))
	brokertest.Receive(t, s, 5)

	srv.Stop(t)
	if err := sub.Ready(ctx); !errors.Is(err, backend.ErrUnavailable) {
		t.Fatalf("ready with Redis down: %v, want ErrUnavailable", err)
	}
	if _, err := pub.Publish(ctx, backend.PublishRequest{Quotes: brokertest.Quotes("AAPL", 1)}); !errors.Is(err, backend.ErrUnavailable) {
		t.Fatalf("publish with Redis down: %v, want ErrUnavailable", err)
	}
	if _, _, err := sub.Subscribe(ctx, backend.SubscribeRequest{}); !errors.Is(err, backend.ErrUnavailable) {
		t.Fatalf("subscribe with Redis down: %v, want ErrUnavailable", err)
	}

	srv.Restart(t)
	eventually(t, "ready after Redis returned", func() bool { return sub.Ready(ctx) == nil })
	after := brokertest.MustPublish(t, pub, brokertest.Quotes("MSFT", 5))
	got := brokertest.Receive(t, s, 5)
	if got[0].Stock.ID != after[0].ID || got[4].Stock.ID != after[4].ID {
		t.Fatalf("after the outage the subscription got %v, want %s..%s right after %s", seqs(got), after[0].ID, after[4].ID, before[4].ID)
	}
}

func TestReaderCatchesUpOnWhatRedisKept(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	sub := mustOpen(t, srv, redis.Options{History: 1000, Prefix: prefix})
	_, s := brokertest.MustSubscribe(t, sub, backend.SubscribeRequest{})
	srv.Stop(t)
	srv.Restart(t)
	// Published while sub's reader may still be backing off.
	pub := mustOpen(t, srv, redis.Options{History: 1000, Prefix: prefix})
	evs := brokertest.MustPublish(t, pub, brokertest.Quotes("AAPL", 50))
	got := brokertest.Receive(t, s, 50)
	if got[0].Stock.ID != evs[0].ID || got[49].Stock.ID != evs[49].ID {
		t.Fatalf("caught up %v…, want %s..%s", seqs(got)[:3], evs[0].ID, evs[49].ID)
	}
}

func TestLostDataNeverReusesIDs(t *testing.T) {
	srv := redistest.Start(t)
	b := mustOpen(t, srv, redis.Options{History: 100})
	old := brokertest.MustPublish(t, b, brokertest.Quotes("AAPL", 3))
	_, s := brokertest.MustSubscribe(t, b, backend.SubscribeRequest{})
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	if err := rdb.FlushAll(brokertest.Ctx(t)).Err(); err != nil {
		t.Fatal(err)
	}
	fresh := brokertest.MustPublish(t, b, brokertest.Quotes("MSFT", 1))
	oldSeq, _ := stock.ParseID(old[2].ID)
	if seq, _ := stock.ParseID(fresh[0].ID); seq <= oldSeq {
		t.Fatalf("id %d after Redis lost its data, not above the old %d", seq, oldSeq)
	}
	// The reader saw ids jump: local subscribers reconnect.
	if err := brokertest.WaitEnded(t, s); err == nil {
		t.Fatal("subscription ended without an error after the stream skipped ids")
	}
	o, _ := brokertest.MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: old[2].ID})
	if o.Resumed || len(o.Snapshot) != 1 || o.Snapshot[0].ID != fresh[0].ID {
		t.Fatalf("resume from a lost id: resumed=%v snapshot %+v, want the new MSFT event", o.Resumed, o.Snapshot)
	}
}

func TestRunExclusive(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	const ttl = 300 * time.Millisecond
	a := mustOpen(t, srv, redis.Options{Prefix: prefix})
	b := mustOpen(t, srv, redis.Options{Prefix: prefix})
	started := make(chan string, 4)
	active := make(chan struct{}, 1) // holds a token while some run runs
	task := func(name string) func(context.Context) {
		return func(ctx context.Context) {
			select {
			case active <- struct{}{}:
			default:
				t.Errorf("%s started while another holder runs", name)
				return
			}
			started <- name
			<-ctx.Done()
			<-active
		}
	}
	ctxA, stopA := context.WithCancel(brokertest.Ctx(t))
	doneA := make(chan struct{})
	go func() { a.RunExclusive(ctxA, "sim", ttl, task("a")); close(doneA) }()
	if got := <-started; got != "a" {
		t.Fatalf("first holder %s, want a", got)
	}
	doneB := make(chan struct{})
	go func() { b.RunExclusive(brokertest.Ctx(t), "sim", ttl, task("b")); close(doneB) }()
	stopA()
	<-doneA
	select {
	case got := <-started:
		if got != "b" {
			t.Fatalf("second holder %s, want b", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("b did not take over after a returned")
	}
	b.Close() // ends b's run and releases the lease
	<-doneB
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	if n, err := rdb.Exists(brokertest.Ctx(t), prefix+"lease:sim").Result(); err != nil || n != 0 {
		t.Fatalf("lease key after close: exists=%d err=%v", n, err)
	}
}

// TestPublishKeepsExactPrices checks that stored events read back exactly.
func TestPublishKeepsExactPrices(t *testing.T) {
	srv := redistest.Start(t)
	b := mustOpen(t, srv, redis.Options{History: 10})
	ts := time.Date(2025, 6, 16, 5, 31, 12, 583877100, time.UTC)
	pub := brokertest.MustPublish(t, b, []stock.Quote{{Symbol: "AAPL", Price: stock.MustParsePrice("0.000001"), Timestamp: ts}})
	l, ok, err := b.Latest(brokertest.Ctx(t), "AAPL")
	if err != nil || !ok || l.StockPriceEvent != pub[0] || l.Open.String() != "0.000001" {
		t.Fatalf("latest %+v %v %v, want %+v opening at 0.000001", l, ok, err, pub[0])
	}
}

func TestRunExclusiveWithRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	const ttl = 300 * time.Millisecond
	b := mustOpen(t, srv, redis.Options{})
	runs := make(chan context.Context, 2)
	go b.RunExclusive(brokertest.Ctx(t), "sim", ttl, func(ctx context.Context) {
		runs <- ctx
		<-ctx.Done()
	})
	first := <-runs
	srv.Stop(t)
	select {
	case <-first.Done(): // gave the lease up before it expired
	case <-time.After(10 * time.Second):
		t.Fatal("the holder kept running with Redis down")
	}
	srv.Restart(t)
	select {
	case <-runs: // took the lease again
	case <-time.After(10 * time.Second):
		t.Fatal("the lease was not taken again after Redis returned")
	}
}

func TestRunExclusiveReturnsWithRun(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	b := mustOpen(t, srv, redis.Options{Prefix: prefix})
	ran := false
	b.RunExclusive(brokertest.Ctx(t), "once", time.Second, func(context.Context) { ran = true })
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	if n, err := rdb.Exists(brokertest.Ctx(t), prefix+"lease:once").Result(); !ran || err != nil || n != 0 {
		t.Fatalf("ran=%v, lease key exists=%d err=%v after run returned", ran, n, err)
	}
}

func TestOpenWaitsForRedis(t *testing.T) {
	srv := redistest.Start(t)
	srv.Stop(t)
	opened := make(chan error, 1)
	go func() {
		b, err := redis.Open(brokertest.Ctx(t), srv.URL(0), redis.Options{Prefix: newPrefix()})
		if err == nil {
			b.Close()
		}
		opened <- err
	}()
	srv.Restart(t)
	if err := <-opened; err != nil {
		t.Fatalf("open while Redis starts: %v", err)
	}
	srv.Stop(t)
	ctx, cancel := context.WithTimeout(brokertest.Ctx(t), 300*time.Millisecond)
	defer cancel()
	if _, err := redis.Open(ctx, srv.URL(0), redis.Options{}); !errors.Is(err, backend.ErrUnavailable) {
		t.Fatalf("open with Redis down: %v, want ErrUnavailable once ctx ends", err)
	}
}
