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

// catchUp bounds how long a resume from an id this instance's reader has
// not delivered yet, but Redis holds, waits for the reader.
const catchUp = 2 * time.Second

// retry is how the reader and Open wait between attempts to reach Redis.
var retry = backoff.Policy{Base: 50 * time.Millisecond, Max: 2 * time.Second}

// read is the instance's one reader: it follows the stream from the last
// entry it delivered and feeds the local hub, until ctx ends. While Redis
// is unreachable it retries with backoff; when Redis returns it goes on
// from the same entry, so subscribers catch up on everything Redis kept.
// At start, after a failure and whenever the stream was idle for
// readBlock, it checks that Redis still holds that entry (see checkHead).
func (b *Broker) read(ctx context.Context) {
	defer close(b.readerDone)
	failures := 0
	check := true
	for ctx.Err() == nil {
		var msgs []goredis.XMessage
		var err error
		if check {
			err = b.checkHead(ctx)
		}
		if err == nil {
			msgs, err = b.readNext(ctx)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			b.logReadError(err, failures > 0)
			backoff.Sleep(ctx, retry.Delay(failures))
			failures++
			check = true
			continue
		}
		if failures > 0 {
			b.log.Info("redis reader: reading the stream again", "after", stock.FormatID(b.position()))
			failures = 0
		}
		check = len(msgs) == 0
		if len(msgs) > 0 {
			b.deliver(ctx, b.decode(msgs))
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

// batch is what one XREAD brought: the events, the id of the entry
// before the first one and the id of the last one (malformed entries are
// skipped but still passed).
type batch struct {
	events     []*backend.Event
	prev, last uint64
}

// decode turns entries into events; a malformed entry is logged and
// skipped.
func (b *Broker) decode(msgs []goredis.XMessage) batch {
	out := batch{events: make([]*backend.Event, 0, len(msgs))}
	out.last, _ = parseEntryID(msgs[len(msgs)-1].ID)
	var err error
	if out.prev, err = entryPrev(msgs[0]); err != nil {
		b.log.Error("redis reader: entry without its predecessor", "err", err)
	}
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
// one step with respect to Subscribe. A batch that does not continue from
// the position means the stream lost entries: trimmed while the reader
// lagged, or, when it continues from an older entry, lost by Redis (see
// rolledBack).
func (b *Broker) deliver(ctx context.Context, in batch) {
	b.mu.Lock()
	if b.closed || in.last <= b.pos {
		b.mu.Unlock()
		return
	}
	delivered, ended := b.pos, 0
	lost := in.prev < b.pos
	if in.prev != b.pos {
		ended = b.resetHubLocked(lost, in.prev)
	}
	b.hub.Deliver(in.events)
	b.pos = in.last
	b.floor = max(b.floor, in.last)
	if b.moved != nil {
		close(b.moved)
		b.moved = nil
	}
	b.mu.Unlock()
	if lost {
		b.rolledBack(ctx, delivered, in.prev, ended)
	}
}

// waitPosition waits until the reader has delivered seq, or ctx or the
// reader's catch-up bound ends; it reports whether it has.
func (b *Broker) waitPosition(ctx context.Context, seq uint64) bool {
	ctx, cancel := context.WithTimeout(ctx, catchUp)
	defer cancel()
	for {
		b.mu.Lock()
		if b.pos >= seq || b.closed {
			b.mu.Unlock()
			return b.pos >= seq
		}
		if b.moved == nil {
			b.moved = make(chan struct{})
		}
		moved := b.moved
		b.mu.Unlock()
		select {
		case <-moved:
		case <-ctx.Done():
			return false
		}
	}
}

// checkHead finds a rollback that no new entry shows yet: the stream's
// newest entry older than the last one delivered. The reader then goes on
// from the newest entry.
func (b *Broker) checkHead(ctx context.Context) error {
	head, err := b.head(ctx)
	if err != nil {
		return err
	}
	b.mu.Lock()
	delivered, ended := b.pos, 0
	lost := head < b.pos && !b.closed
	if lost {
		ended = b.resetHubLocked(true, head)
		b.pos = head
	}
	b.mu.Unlock()
	if lost {
		b.rolledBack(ctx, delivered, head, ended)
	}
	return nil
}

// rolledBack handles Redis having lost the entries after kept up to
// delivered (restarted from an older snapshot, or failed over to a replica
// that lagged): it raises the floor key to the highest id this instance
// has seen, so that no instance gives an id twice, counts the rollback and
// logs it once. The local subscribers were ended (ended of them): their
// clients, holding ids Redis no longer has, come back for a snapshot.
func (b *Broker) rolledBack(ctx context.Context, delivered, kept uint64, ended int) {
	floor := b.floorSeen()
	if b.onRollback != nil {
		b.onRollback()
	}
	b.log.Warn("redis: Redis lost events this instance had delivered (restarted from an older snapshot, or failed over to a lagging replica); new ids go on above the highest seen, local subscribers reconnect for a snapshot",
		"delivered", stock.FormatID(delivered), "kept", stock.FormatID(kept), "floor", stock.FormatID(floor), "subscribers", ended)
	if err := b.raiseFloor(ctx, floor); err != nil {
		b.log.Warn("redis: cannot raise the floor; this instance's own publishes stay above it", "err", err)
	}
}

// raiseFloorScript sets the floor key KEYS[1] to ARGV[1] if that is higher.
var raiseFloorScript = goredis.NewScript(`
if tonumber(ARGV[1]) > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
`)

// raiseFloor makes every later id, from any instance, higher than seq.
func (b *Broker) raiseFloor(ctx context.Context, seq uint64) error {
	if err := raiseFloorScript.Run(ctx, b.rdb, []string{b.keys.floor}, stock.FormatID(seq)).Err(); err != nil {
		return unavailable("raise "+b.keys.floor, err)
	}
	return nil
}

// resetHubLocked ends every local subscription when the stream does not
// go on from the entry the reader delivered last (lost says whether Redis
// lost entries rather than trimmed them) and returns how many it ended:
// the clients reconnect with their last id and get a replay or a snapshot.
func (b *Broker) resetHubLocked(lost bool, next uint64) int {
	old := b.hub
	n := old.Len()
	if !lost {
		b.log.Warn("redis reader: stream skipped ids; reconnecting local subscribers",
			"after", stock.FormatID(b.pos), "next_after", stock.FormatID(next), "subscribers", n)
	}
	opts := b.hubOpts
	opts.Head = next
	b.hub = fanout.NewHub(opts)
	old.Close()
	return n
}

// position returns the id of the last event delivered.
func (b *Broker) position() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pos
}
