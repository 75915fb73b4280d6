package redis

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// publishScript appends a batch of events atomically. KEYS: seq, events,
// latest. ARGV: history, the counter's first value should it be missing,
// then symbol, price, timestamp per event. It returns the assigned ids as
// strings (GET keeps them exact; Lua numbers are doubles).
//
// A missing counter (Redis flushed or restarted without data) starts again
// from the given first value, or from the stream's newest id if that is
// higher, so an id is never given twice.
var publishScript = goredis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[2], 'NX') then
  local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
  if #newest > 0 then
    local ms = string.match(newest[1][1], '^(%d+)')
    if tonumber(ms) >= tonumber(ARGV[2]) then
      redis.call('SET', KEYS[1], ms)
    end
  end
end
local ids = {}
for i = 3, #ARGV, 3 do
  redis.call('INCR', KEYS[1])
  local id = redis.call('GET', KEYS[1])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], id .. '-0',
    's', ARGV[i], 'p', ARGV[i + 1], 't', ARGV[i + 2])
  redis.call('HSET', KEYS[3], ARGV[i], id .. ' ' .. ARGV[i + 1] .. ' ' .. ARGV[i + 2])
  ids[#ids + 1] = id
end
return ids
`)

// Publish appends the quotes to the stream in one atomic step; every
// instance's reader then delivers them to its subscribers.
func (b *Broker) Publish(ctx context.Context, quotes []stock.Quote) ([]stock.StockPriceEvent, error) {
	if b.isClosed() {
		return nil, backend.ErrClosed
	}
	if len(quotes) == 0 {
		return nil, nil
	}
	events, args := b.prepare(quotes)
	ids, err := publishScript.Run(ctx, b.rdb,
		[]string{b.keys.seq, b.keys.events, b.keys.latest}, args...).StringSlice()
	if err != nil {
		return nil, unavailable("xadd "+b.keys.events, err)
	}
	if len(ids) != len(events) {
		return nil, fmt.Errorf("xadd %s: %d ids for %d events", b.keys.events, len(ids), len(events))
	}
	for i, id := range ids {
		events[i].ID = id
	}
	return events, nil
}

// prepare stamps the quotes without a timestamp and returns the events
// (without ids) and the script's arguments.
func (b *Broker) prepare(quotes []stock.Quote) ([]stock.StockPriceEvent, []any) {
	now := b.now().UTC()
	events := make([]stock.StockPriceEvent, len(quotes))
	args := make([]any, 0, 2+3*len(quotes))
	args = append(args, b.history, b.firstSeq())
	for i, q := range quotes {
		ts := q.Timestamp
		if ts.IsZero() {
			ts = now
		}
		events[i] = stock.StockPriceEvent{Symbol: q.Symbol, Price: q.Price, Timestamp: ts.UTC()}
		args = append(args, q.Symbol, q.Price.String(), formatTime(ts))
	}
	return events, args
}
