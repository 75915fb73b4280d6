package redis

import (
	"cmp"
	"context"
	"errors"
	"slices"

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
	sub, pos, err := b.register(req.Symbols)
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
func (b *Broker) register(symbols []string) (*fanout.Subscriber, uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, 0, backend.ErrClosed
	}
	return b.hub.Add(symbols), b.pos, nil
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
	return backend.Opening{Resumed: true, Replay: replay, Head: through}, true, nil
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
				return nil, 0, false, err
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
func decodeSnapshot(latest map[string]string, symbols []string) ([]stock.StockPriceEvent, error) {
	out := make([]stock.StockPriceEvent, 0, len(latest))
	for sym, v := range latest {
		if len(symbols) > 0 && !slices.Contains(symbols, sym) {
			continue
		}
		ev, err := decodeLatest(sym, v)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	slices.SortFunc(out, func(a, b stock.StockPriceEvent) int { return cmp.Compare(a.Symbol, b.Symbol) })
	return out, nil
}

// Snapshot returns the latest event per symbol, sorted by symbol.
func (b *Broker) Snapshot(ctx context.Context) ([]stock.StockPriceEvent, error) {
	latest, err := b.rdb.HGetAll(ctx, b.keys.latest).Result()
	if err != nil {
		return nil, unavailable("hgetall "+b.keys.latest, err)
	}
	return decodeSnapshot(latest, nil)
}

// Latest returns the latest event of one symbol.
func (b *Broker) Latest(ctx context.Context, symbol string) (stock.StockPriceEvent, bool, error) {
	v, err := b.rdb.HGet(ctx, b.keys.latest, symbol).Result()
	if errors.Is(err, goredis.Nil) {
		return stock.StockPriceEvent{}, false, nil
	}
	if err != nil {
		return stock.StockPriceEvent{}, false, unavailable("hget "+b.keys.latest, err)
	}
	ev, err := decodeLatest(symbol, v)
	return ev, err == nil, err
}
