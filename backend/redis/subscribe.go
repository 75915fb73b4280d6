package redis

import (
	"context"
	"errors"
	"fmt"
	"slices"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
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

// awaitResumeID prepares a resume. The reader first catches up with the
// stream's head, so that the replay holds everything published before the
// subscribe: a client that read its id from another instance a moment ago
// is resumed exactly instead of getting a snapshot, and a conflated resume
// conflates every event it missed. A client holding an id above the head
// holds an event Redis lost: see raiseForClient.
func (b *Broker) awaitResumeID(ctx context.Context, last string) error {
	seq, ok := stock.ParseID(last)
	if !ok {
		return nil
	}
	head, err := b.head(ctx)
	if err != nil {
		return err
	}
	if seq > head {
		return b.raiseForClient(ctx, seq)
	}
	if head > b.position() {
		b.waitPosition(ctx, head)
	}
	return nil
}

// raiseForClient raises the floor to the id of a client that is above the
// head, unless it is ahead of the clock (no broker gave it): such a client
// holds an event Redis lost, and its snapshot's id and every later id are
// then above its own.
func (b *Broker) raiseForClient(ctx context.Context, last uint64) error {
	if last > uint64(b.now().UnixMicro()) {
		return nil
	}
	return b.raiseFloor(ctx, last)
}

// prime fills a new hub's ring with the newest entries of the stream, as
// many as a resume may replay, so that an instance that just started
// resumes clients as exactly as one that has run for a while; head is the
// id counter's value. An id older than the primed entries gets a snapshot.
func (b *Broker) prime(ctx context.Context, head uint64) error {
	msgs, err := b.rdb.XRevRangeN(ctx, b.keys.events, "+", "-", int64(b.hubOpts.History)).Result()
	if err != nil {
		return unavailable("xrevrange "+b.keys.events, err)
	}
	slices.Reverse(msgs)
	start := head
	if len(msgs) > 0 {
		// The history starts after the entry before the oldest read.
		if start, err = entryPrev(msgs[0]); err != nil {
			return err
		}
	}
	events := make([]*backend.Event, 0, len(msgs))
	for _, m := range msgs {
		ev, err := decodeEntry(m)
		if err != nil {
			b.skipMalformed(malformedEntry, 1, err)
			continue
		}
		events = append(events, ev)
	}
	opts := b.hubOpts
	opts.Head = start
	b.hub = fanout.NewHub(opts)
	b.hub.Deliver(events)
	b.pos = max(start, b.hub.Head())
	b.floor = b.pos
	return nil
}

// snapshotOpening reads the latest events, the head and the floor in one
// transaction. The snapshot's id is the highest of the three with the
// reader's position: every later id is above it.
func (b *Broker) snapshotOpening(ctx context.Context, symbols []string, sub *fanout.Subscriber, pos uint64) (backend.Opening, error) {
	var latest *goredis.MapStringStringCmd
	var seq, floor *goredis.StringCmd
	_, err := b.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		latest = p.HGetAll(ctx, b.keys.latest)
		seq = p.Get(ctx, b.keys.seq)
		floor = p.Get(ctx, b.keys.floor)
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return backend.Opening{}, unavailable("snapshot", err)
	}
	snap := b.decodeSnapshot(latest.Val(), symbols)
	head, _ := seq.Uint64() // missing counter: nothing published since Redis lost its data
	raised, _ := floor.Uint64()
	head = max(head, raised, pos)
	sub.SkipThrough(head)
	return backend.Opening{Snapshot: snap, Head: head}, nil
}

// decodeSnapshot decodes the latest hash, skipping malformed values, keeps
// the wanted symbols (all if none) and sorts by symbol.
func (b *Broker) decodeSnapshot(latest map[string]string, symbols []string) []stock.Latest {
	out := make([]stock.Latest, 0, len(latest))
	for sym, v := range latest {
		l, err := decodeLatest(sym, v)
		if err != nil {
			b.skipMalformed(malformedLatest, 1, err)
			continue
		}
		out = append(out, l)
	}
	return backend.SnapshotOf(out, symbols)
}

// Snapshot returns the latest event per symbol, sorted by symbol.
func (b *Broker) Snapshot(ctx context.Context) ([]stock.Latest, error) {
	latest, err := b.rdb.HGetAll(ctx, b.keys.latest).Result()
	if err != nil {
		return nil, unavailable("hgetall "+b.keys.latest, err)
	}
	return b.decodeSnapshot(latest, nil), nil
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
	if err != nil {
		b.skipMalformed(malformedLatest, 1, err)
		return stock.Latest{}, false, nil
	}
	return l, true, nil
}

// Bars returns the one-minute bars of one symbol, read from its ring.
func (b *Broker) Bars(ctx context.Context, symbol string) ([]stock.Bar, error) {
	key := b.keys.bars(symbol)
	ring, err := b.rdb.Get(ctx, key).Bytes()
	switch {
	case errors.Is(err, goredis.Nil):
		return nil, nil
	case isWrongType(err):
		b.skipMalformed(malformedBars, 1, fmt.Errorf("get %s: %w", key, err))
		return nil, nil
	case err != nil:
		return nil, unavailable("get "+key, err)
	}
	slots, malformed := decodeRing(ring)
	b.skipMalformed(malformedBars, malformed, fmt.Errorf("bar ring %s of %d bytes", key, len(ring)))
	var bars stock.MinuteBars
	for _, s := range slots {
		bars.Add(s)
	}
	return bars.Bars(symbol), nil
}
