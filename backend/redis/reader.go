package redis

import (
	"context"
	"errors"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/stock"
)

// The reader's XREAD.
const (
	readBlock = 5 * time.Second
	readCount = 1000
)

// retry is how the reader and Open wait between attempts to reach Redis.
var retry = backoff.Policy{Base: 50 * time.Millisecond, Max: 2 * time.Second}

// read is the instance's one reader: it follows the stream from the last
// id it delivered and feeds the local hub, until ctx ends. While Redis is
// unreachable it retries with backoff; when Redis returns it goes on from
// the same id, so subscribers catch up on everything Redis kept.
func (b *Broker) read(ctx context.Context) {
	defer close(b.readerDone)
	failures := 0
	for ctx.Err() == nil {
		msgs, err := b.readNext(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			b.logReadError(err, failures > 0)
			backoff.Sleep(ctx, retry.Delay(failures))
			failures++
			continue
		}
		if failures > 0 {
			b.log.Info("redis reader: reading the stream again", "after", stock.FormatID(b.position()))
			failures = 0
		}
		if len(msgs) > 0 {
			b.deliver(b.decode(msgs))
		}
	}
}

func (b *Broker) logReadError(err error, failing bool) {
	if failing {
		b.log.Debug("redis reader: still failing", "err", err)
		return
	}
	b.log.Warn("redis reader: cannot read the stream, retrying", "err", err)
}

// readNext waits up to readBlock for entries after the reader's position.
func (b *Broker) readNext(ctx context.Context) ([]goredis.XMessage, error) {
	streams, err := b.feed.XRead(ctx, &goredis.XReadArgs{
		Streams: []string{b.keys.events, entryID(b.position())},
		Count:   readCount,
		Block:   readBlock,
	}).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, unavailable("xread "+b.keys.events, err)
	}
	if len(streams) == 0 {
		return nil, nil
	}
	return streams[0].Messages, nil
}

// batch is what one XREAD brought: the events, and the ids of the first
// and last entries (malformed entries are skipped but still passed).
type batch struct {
	events      []*backend.Event
	first, last uint64
}

// decode turns entries into events; a malformed entry is logged and
// skipped.
func (b *Broker) decode(msgs []goredis.XMessage) batch {
	out := batch{events: make([]*backend.Event, 0, len(msgs))}
	out.first, _ = parseEntryID(msgs[0].ID)
	out.last, _ = parseEntryID(msgs[len(msgs)-1].ID)
	for _, m := range msgs {
		ev, err := decodeEntry(m)
		if err != nil {
			b.skipMalformed(malformedEntry, 1, err)
			continue
		}
		out.events = append(out.events, ev)
	}
	return out
}

// deliver hands a batch to the hub and advances the reader's position, in
// one step with respect to Subscribe.
func (b *Broker) deliver(in batch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || in.last <= b.pos {
		return
	}
	if in.first != b.pos+1 {
		b.resetHubLocked(in.first)
	}
	b.hub.Deliver(in.events)
	b.pos = in.last
}

// resetHubLocked ends every local subscription when the stream skipped ids
// the reader never saw (trimmed while it lagged, or Redis lost its data):
// the clients reconnect with their last id and get a replay or a snapshot.
func (b *Broker) resetHubLocked(next uint64) {
	b.log.Warn("redis reader: stream skipped ids; reconnecting local subscribers",
		"after", stock.FormatID(b.pos), "next", stock.FormatID(next), "subscribers", b.hub.Len())
	old := b.hub
	b.hub = fanout.NewHub(b.queue)
	old.Close()
}

// position returns the id of the last event delivered.
func (b *Broker) position() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pos
}
