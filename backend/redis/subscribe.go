package redis

import (
	"context"
	"errors"
	"slices"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/bars"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/stock"
)

// Subscribe registers the subscriber on the local hub, whose ring holds
// the newest events of the stream (primed from Redis when the broker
// opened), and decides with it how the stream opens: the events after a
// held id, read from the ring, or a snapshot read from Redis. The snapshot
// may be newer than what the reader delivered so far; the subscriber skips
// the overlap, so the stream has no gap and no duplicate.
func (b *Broker) Subscribe(ctx context.Context, req backend.SubscribeRequest) (backend.Opening, backend.Subscription, error) {
	if err := b.awaitResumeID(ctx, req.LastEventID); err != nil {
		return backend.Opening{}, nil, err
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return backend.Opening{}, nil, backend.ErrClosed
	}
	sub, resumed := b.hub.Add(req)
	pos := b.pos
	b.mu.Unlock()
	if resumed {
		return backend.Opening{Resumed: true, Head: pos}, sub, nil
	}
	o, err := b.snapshotOpening(ctx, req.Symbols, sub, pos)
	if err != nil {
		sub.Close()
		return backend.Opening{}, nil, err
	}
	return o, sub, nil
}

// awaitResumeID lets the reader catch up with the stream's head before a
// resume, so that the replay holds everything published before the
// subscribe: a client that read its id from another instance a moment ago
// is resumed exactly instead of getting a snapshot, and a conflated resume
// conflates every event it missed.
func (b *Broker) awaitResumeID(ctx context.Context, last string) error {
	if _, ok := stock.ParseID(last); !ok {
		return nil
	}
	head, err := b.head(ctx)
	if err != nil {
		return err
	}
	if head > b.position() {
		b.waitPosition(ctx, head)
	}
	return nil
}

// prime fills a new hub's ring with the newest entries of the stream, as
// many as a resume may replay, so that an instance that just started
// resumes clients as exactly as one that has run for a while; head is the
// id counter's value. An id older than the primed entries gets a snapshot.
func (b *Broker) prime(ctx context.Context, head uint64) error {
	want := int64(b.hubOpts.History) + 1
	msgs, err := b.rdb.XRevRangeN(ctx, b.keys.events, "+", "-", want).Result()
	if err != nil {
		return unavailable("xrevrange "+b.keys.events, err)
	}
	slices.Reverse(msgs)
	events := make([]*backend.Event, 0, len(msgs))
	for _, m := range msgs {
		ev, err := decodeEntry(m)
		if err != nil {
			b.log.Error("redis: skipping entry", "err", err)
			continue
		}
		events = append(events, ev)
	}
	start := head
	switch {
	case int64(len(msgs)) == want && len(events) > 0:
		// The oldest entry read only marks where the history starts.
		start, events = events[0].Seq, events[1:]
	case len(events) > 0:
		start = events[0].Seq - 1
	}
	opts := b.hubOpts
	opts.Head = start
	b.hub = fanout.NewHub(opts)
	b.hub.Deliver(events)
	b.pos = max(start, b.hub.Head())
	return nil
}

// snapshotOpening reads the latest events and the head in one transaction.
func (b *Broker) snapshotOpening(ctx context.Context, symbols []string, sub *fanout.Subscriber, pos uint64) (backend.Opening, error) {
	var latest *goredis.MapStringStringCmd
	var seq *goredis.StringCmd
	_, err := b.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		latest = p.HGetAll(ctx, b.keys.latest)
		seq = p.Get(ctx, b.keys.seq)
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return backend.Opening{}, unavailable("snapshot", err)
	}
	snap, err := decodeSnapshot(latest.Val(), symbols)
	if err != nil {
		return backend.Opening{}, err
	}
	head, _ := seq.Uint64() // missing counter: nothing published since Redis lost its data
	head = max(head, pos)
	sub.SkipThrough(head)
	return backend.Opening{Snapshot: snap, Head: head}, nil
}

// decodeSnapshot decodes the latest hash, keeps the wanted symbols (all if
// none) and sorts by symbol.
func decodeSnapshot(latest map[string]string, symbols []string) ([]stock.Latest, error) {
	out := make([]stock.Latest, 0, len(latest))
	for sym, v := range latest {
		l, err := decodeLatest(sym, v)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return backend.SnapshotOf(out, symbols), nil
}

// Snapshot returns the latest event per symbol, sorted by symbol.
func (b *Broker) Snapshot(ctx context.Context) ([]stock.Latest, error) {
	latest, err := b.rdb.HGetAll(ctx, b.keys.latest).Result()
	if err != nil {
		return nil, unavailable("hgetall "+b.keys.latest, err)
	}
	return decodeSnapshot(latest, nil)
}

// Latest returns the latest event of one symbol.
func (b *Broker) Latest(ctx context.Context, symbol string) (stock.Latest, bool, error) {
	v, err := b.rdb.HGet(ctx, b.keys.latest, symbol).Result()
	if errors.Is(err, goredis.Nil) {
		return stock.Latest{}, false, nil
	}
	if err != nil {
		return stock.Latest{}, false, unavailable("hget "+b.keys.latest, err)
	}
	l, err := decodeLatest(symbol, v)
	return l, err == nil, err
}

// Bars returns the one-minute bars of one symbol, read from its ring.
func (b *Broker) Bars(ctx context.Context, symbol string) ([]stock.Bar, error) {
	key := b.keys.bars(symbol)
	ring, err := b.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable("get "+key, err)
	}
	return bars.Window(symbol, decodeRing(ring)), nil
}
