package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/stock"
)

// replayPage bounds the entries one XRANGE of a replay reads.
const replayPage = 1000

// Subscribe registers the subscriber on the local hub first, then reads
// how its stream opens from Redis: the entries after a held id, or a
// snapshot. Everything the reader delivers after the registration reaches
// the subscriber, and the replay or snapshot covers at least up to the
// reader's position then; the overlap is skipped, so the stream has no gap
// and no duplicate.
func (b *Broker) Subscribe(ctx context.Context, req backend.SubscribeRequest) (backend.Opening, backend.Subscription, error) {
	sub, pos, err := b.register(req.Symbols, req.Conflate)
	if err != nil {
		return backend.Opening{}, nil, err
	}
	o, err := b.opening(ctx, req, sub, pos)
	if err != nil {
		sub.Close()
		return backend.Opening{}, nil, err
	}
	return o, sub, nil
}

// register adds a subscriber to the hub and returns the reader's position
// at that moment: every later event reaches the subscriber live.
func (b *Broker) register(symbols []string, conflate time.Duration) (*fanout.Subscriber, uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, 0, backend.ErrClosed
	}
	return b.hub.Add(symbols, conflate), b.pos, nil
}

func (b *Broker) opening(ctx context.Context, req backend.SubscribeRequest, sub *fanout.Subscriber, pos uint64) (backend.Opening, error) {
	if last, ok := stock.ParseID(req.LastEventID); ok {
		o, resumed, err := b.resume(ctx, last, sub)
		if err != nil || resumed {
			return o, err
		}
	}
	return b.snapshotOpening(ctx, req.Symbols, sub, pos)
}

// resume replays the events after last if the stream still holds all of
// them; resumed is false for an id from the future or one whose successors
// were trimmed.
func (b *Broker) resume(ctx context.Context, last uint64, sub *fanout.Subscriber) (o backend.Opening, resumed bool, err error) {
	head, err := b.head(ctx)
	if err != nil || last > head {
		return backend.Opening{}, false, err
	}
	replay, through, ok, err := b.replay(ctx, last, sub)
	if err != nil || !ok {
		return backend.Opening{}, false, err
	}
	if through == last && last != head {
		return backend.Opening{}, false, nil // the stream is gone
	}
	sub.SkipThrough(through)
	return backend.Opening{Resumed: true, Replay: sub.Conflate(replay), Head: through}, true, nil
}

// replay reads every entry after last, in pages, and returns the events
// the subscriber wants and the id of the last entry read (last if none).
// ok is false if an entry after last is missing: ids are consecutive, so a
// hole means it was trimmed.
func (b *Broker) replay(ctx context.Context, last uint64, sub *fanout.Subscriber) (events []*backend.Event, through uint64, ok bool, err error) {
	through = last
	for {
		msgs, err := b.rdb.XRangeN(ctx, b.keys.events, "("+entryID(through), "+", replayPage).Result()
		if err != nil {
			return nil, 0, false, unavailable("xrange "+b.keys.events, err)
		}
		if len(msgs) == 0 {
			return events, through, true, nil
		}
		if first, _ := parseEntryID(msgs[0].ID); first != through+1 {
			return nil, 0, false, nil
		}
		for _, m := range msgs {
			ev, err := decodeEntry(m)
			if err != nil {
				b.skipMalformed(malformedEntry, 1, err)
				if seq, err := parseEntryID(m.ID); err == nil {
					through = seq
				}
				continue
			}
			if sub.Wants(ev.Stock.Symbol) {
				events = append(events, ev)
			}
			through = ev.Seq
		}
		if len(msgs) < replayPage {
			return events, through, true, nil
		}
	}
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
	snap := b.decodeSnapshot(latest.Val(), symbols)
	head, _ := seq.Uint64() // missing counter: nothing published since Redis lost its data
	head = max(head, pos)
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
