package redis_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/brokertest"
	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/shared/stock"
)

// ended waits for a subscription to end, failing after 15 seconds.
func ended(t *testing.T, sub backend.Subscription, why string) {
	t.Helper()
	if err := brokertest.WaitEnded(t, sub); err == nil {
		t.Fatalf("subscription ended without an error: %s", why)
	}
}

func seq(t *testing.T, ev stock.StockPriceEvent) uint64 {
	t.Helper()
	n, ok := stock.ParseID(ev.ID)
	if !ok {
		t.Fatalf("id %q", ev.ID)
	}
	return n
}

// TestRestartFromAnOlderSnapshot kills Redis after events it never saved
// and starts it again from its older snapshot, while a subscriber reads:
// the reader notices, counts the rollback once and ends the subscription;
// new ids are above every id given before; a client holding a lost id gets
// a snapshot whose id is at least its own; one holding an id Redis kept
// resumes exactly.
func TestRestartFromAnOlderSnapshot(t *testing.T) {
	srv := redistest.Start(t)
	var rollbacks atomic.Int64
	b := mustOpen(t, srv, redis.Options{History: 100, OnRollback: func() { rollbacks.Add(1) }})
	kept := brokertest.MustPublish(t, b, brokertest.Quotes("AAPL", 3))
	_, sub := brokertest.MustSubscribe(t, b, backend.SubscribeRequest{})
	srv.Save(t)
	lost := brokertest.MustPublish(t, b, brokertest.Quotes("MSFT", 3))
	brokertest.Receive(t, sub, 3)

	srv.Kill()
	srv.Restart(t)
	ended(t, sub, "Redis came back without events it had delivered")
	eventually(t, "the rollback counted", func() bool { return rollbacks.Load() == 1 })
	ctx := brokertest.Ctx(t)
	var fresh []stock.StockPriceEvent
	eventually(t, "publish after the restart", func() bool {
		var err error
		fresh, err = b.Publish(ctx, backend.PublishRequest{Quotes: brokertest.Quotes("GOOG", 2)})
		return err == nil
	})
	if seq(t, fresh[0]) <= seq(t, lost[2]) {
		t.Fatalf("id %s after the rollback, not above the lost %s", fresh[0].ID, lost[2].ID)
	}
	o, _ := brokertest.MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: lost[1].ID})
	if o.Resumed || o.Head < seq(t, lost[1]) {
		t.Fatalf("resume from the lost %s: resumed=%v head %d, want a snapshot with a head of at least it", lost[1].ID, o.Resumed, o.Head)
	}
	o, resumed := brokertest.MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: kept[2].ID})
	if got := brokertest.Receive(t, resumed, 2); !o.Resumed || got[0].Stock.ID != fresh[0].ID || got[1].Stock.ID != fresh[1].ID {
		t.Fatalf("resume from the kept %s: resumed=%v %v, want exactly %s %s", kept[2].ID, o.Resumed, seqs(got), fresh[0].ID, fresh[1].ID)
	}
	if n := rollbacks.Load(); n != 1 {
		t.Fatalf("%d rollbacks counted after publishing again, want still 1", n)
	}
}

// TestRollbackRaisesEveryInstancesIDs restarts Redis from an older
// snapshot while one instance saw the lost events and another, opened
// afterwards, did not: the first raises the floor, so that the second's
// next id is above the lost ones too, and the first's subscribers get the
// second's events.
func TestRollbackRaisesEveryInstancesIDs(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	a := mustOpen(t, srv, redis.Options{History: 100, Prefix: prefix})
	brokertest.MustPublish(t, a, brokertest.Quotes("AAPL", 1))
	srv.Save(t)
	lost := brokertest.MustPublish(t, a, brokertest.Quotes("AAPL", 1))
	_, subA := brokertest.MustSubscribe(t, a, backend.SubscribeRequest{})
	srv.Kill()
	srv.Restart(t)
	ended(t, subA, "the rollback")
	_, subA = brokertest.MustSubscribe(t, a, backend.SubscribeRequest{})
	late := mustOpen(t, srv, redis.Options{History: 100, Prefix: prefix, Now: func() time.Time { return time.Unix(0, 0) }})
	fresh := brokertest.MustPublish(t, late, brokertest.Quotes("MSFT", 1)) // a clock at 1970: only the floor is above the lost id
	if seq(t, fresh[0]) <= seq(t, lost[0]) {
		t.Fatalf("id %s from an instance that never saw the lost %s: not above it", fresh[0].ID, lost[0].ID)
	}
	if got := brokertest.Receive(t, subA, 1); got[0].Stock.ID != fresh[0].ID {
		t.Fatalf("a received %s, want %s", got[0].Stock.ID, fresh[0].ID)
	}
}

// TestIdleReaderNoticesLostData flushes Redis under an idle subscriber:
// the reader finds the stream no longer holds what it delivered within a
// blocking read's time, without any new event.
func TestIdleReaderNoticesLostData(t *testing.T) {
	srv := redistest.Start(t)
	b := mustOpen(t, srv, redis.Options{History: 100})
	brokertest.MustPublish(t, b, brokertest.Quotes("AAPL", 2))
	_, sub := brokertest.MustSubscribe(t, b, backend.SubscribeRequest{})
	if _, err := srv.Do(time.Second, "FLUSHALL"); err != nil {
		t.Fatal(err)
	}
	ended(t, sub, "the stream lost every event")
}

// TestPublishIsNotRetriedAfterATimeout stalls Redis longer than the
// client's read timeout during a publish: the publish fails, Redis runs it
// once when it wakes up (the client library must not send it again), and
// the same publish sent again under its key answers with the first's
// events without publishing them twice.
func TestPublishIsNotRetriedAfterATimeout(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	b, err := redis.Open(brokertest.Ctx(t), srv.URL(0)+"?read_timeout=300ms", redis.Options{History: 100, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := brokertest.Ctx(t)
	brokertest.MustPublish(t, b, brokertest.Quotes("AAPL", 1)) // loads the script: EVALSHA then runs it
	for _, key := range []string{"", "k1"} {
		stalled := make(chan error, 1)
		go func() { _, err := srv.Do(5*time.Second, "DEBUG", "SLEEP", "1"); stalled <- err }()
		time.Sleep(100 * time.Millisecond) // let DEBUG SLEEP reach Redis first
		req := backend.PublishRequest{Quotes: brokertest.Quotes("AAPL", 1), Key: key}
		if _, err := b.Publish(ctx, req); !errors.Is(err, backend.ErrUnavailable) {
			t.Fatalf("publish during a stall longer than the read timeout: %v, want ErrUnavailable", err)
		}
		if err := <-stalled; err != nil {
			t.Fatal(err)
		}
		if key != "" {
			again, err := b.Publish(ctx, req)
			if err != nil || len(again) != 1 {
				t.Fatalf("the same publish again under its key: %v %v", again, err)
			}
		}
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	if n, err := rdb.XLen(ctx, prefix+"events").Result(); err != nil || n != 3 {
		t.Fatalf("%d events in the stream (%v), want 3: each stalled publish applied exactly once", n, err)
	}
}

// TestOldEntriesWithoutGapsStillResume reads entries written before ids
// followed the clock (consecutive, with no gap field): a resume from one
// of them still replays exactly.
func TestOldEntriesWithoutGapsStillResume(t *testing.T) {
	srv := redistest.Start(t)
	prefix := newPrefix()
	rdb := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	ctx := brokertest.Ctx(t)
	for i, id := range []string{"1001-0", "1002-0", "1003-0"} {
		err := rdb.XAdd(ctx, &goredis.XAddArgs{Stream: prefix + "events", ID: id,
			Values: []any{"s", "OLD", "p", stock.PriceFromCents(int64(100 + i)).String(), "t", "2025-01-02T03:04:05Z"}}).Err()
		if err != nil {
			t.Fatal(err)
		}
	}
	rdb.Set(ctx, prefix+"seq", "1003", 0)
	b := mustOpen(t, srv, redis.Options{History: 100, Prefix: prefix})
	o, sub := brokertest.MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: "1001"})
	if got := brokertest.Receive(t, sub, 2); !o.Resumed || got[0].Seq != 1002 || got[1].Seq != 1003 || !got[0].Accepted.IsZero() {
		t.Fatalf("resume from an old entry: resumed=%v %v", o.Resumed, seqs(got))
	}
	next := brokertest.MustPublish(t, b, brokertest.Quotes("NEW", 1))
	o, sub = brokertest.MustSubscribe(t, b, backend.SubscribeRequest{LastEventID: "1003"})
	if got := brokertest.Receive(t, sub, 1); !o.Resumed || got[0].Stock.ID != next[0].ID {
		t.Fatalf("resume from the last old entry across the jump to the clock: resumed=%v %v", o.Resumed, seqs(got))
	}
}
