package redis

import (
	"context"
	"fmt"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// publishScript appends a batch of events atomically and updates the latest
// events, session opens and bars with them.
//
// KEYS: seq, events, latest, then the bar ring of each symbol of the batch.
// ARGV: history, the counter's first value should it be missing, the
// numbers of events, symbols and partial bars, then symbol, price and
// timestamp per event; symbol, index of its last event, open day and open
// price per symbol (in the order of the ring keys); ring key index, minute,
// count and open, high, low, close in millionths per partial bar.
// It returns the assigned ids as strings (GET keeps them exact; Lua numbers
// are doubles).
//
// A missing counter (Redis flushed or restarted without data) starts again
// from the given first value, or from the stream's newest id if that is
// higher, so an id is never given twice. The latest hash costs one read and
// one write per symbol of the batch, the bars one read and one write per
// symbol and minute (foldBars). A ring is a string of stock.BarWindow
// records (see decodeRing), each at the offset of its minute of the day: a
// slot holds the newest minute written to it, and reading the ring over
// the 24 hours up to its newest minute gives the bars of stock.MinuteBars
// (TestScriptFollowsTheRule holds it to stocktest.Cases). It is made at its
// full size at once, so that Redis never grows (and over-allocates) it.
var publishScript = goredis.NewScript(`
local RECORD, RING, FORMAT = 40, 40 * 1440, '<i4i4i8i8i8i8'
local nev, nsym, npart = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
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
local a = 6
for i = 1, nev do
  redis.call('INCR', KEYS[1])
  local id = redis.call('GET', KEYS[1])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], id .. '-0',
    's', ARGV[a], 'p', ARGV[a + 1], 't', ARGV[a + 2])
  ids[i] = id
  a = a + 3
end
for j = 1, nsym do
  local sym, last, day, open = ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2], ARGV[a + 3]
  local old = redis.call('HGET', KEYS[3], sym)
  if old then
    local oday, oopen = string.match(old, '^%S+ %S+ %S+ (-?%d+) (%S+)$')
    if oday and tonumber(day) <= tonumber(oday) then
      day, open = oday, oopen
    end
  end
  local e = 6 + 3 * (last - 1)
  redis.call('HSET', KEYS[3], sym, ids[last] .. ' ' .. ARGV[e + 1] .. ' ' .. ARGV[e + 2] .. ' ' .. day .. ' ' .. open)
  a = a + 4
end
local sized = {}
for k = 1, npart do
  local key = KEYS[3 + tonumber(ARGV[a])]
  if not sized[key] then
    if redis.call('STRLEN', key) < RING then
      redis.call('SETRANGE', key, RING - 1, '\0')
    end
    sized[key] = true
  end
  local minute, count = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local o, h, l, c = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5]), tonumber(ARGV[a + 6])
  local off = (minute % 1440) * RECORD
  local m, n, so, sh, sl = struct.unpack(FORMAT, redis.call('GETRANGE', key, off, off + RECORD - 1))
  if n == 0 or minute > m then
    redis.call('SETRANGE', key, off, struct.pack(FORMAT, minute, count, o, h, l, c))
  elseif minute == m then
    redis.call('SETRANGE', key, off, struct.pack(FORMAT, m, n + count, so, math.max(sh, h), math.min(sl, l), c))
  end
  a = a + 7
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
	events := backend.Stamp(quotes, b.now())
	keys, args := b.scriptArgs(events)
	ids, err := publishScript.Run(ctx, b.rdb, keys, args...).StringSlice()
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

// batchSymbol is what a batch changes of one symbol's latest entry.
type batchSymbol struct {
	last int // index of its last event in the batch
	open stock.SessionOpen
}

// scriptArgs returns the keys and arguments of publishScript for events.
func (b *Broker) scriptArgs(events []stock.StockPriceEvent) ([]string, []any) {
	order, syms := symbolsOf(events)
	parts := foldBars(events)
	keys := make([]string, 0, 3+len(order))
	keys = append(keys, b.keys.seq, b.keys.events, b.keys.latest)
	args := make([]any, 0, 5+3*len(events)+4*len(order)+7*len(parts))
	args = append(args, b.history, backend.ClockSeq(), len(events), len(order), len(parts))
	for _, ev := range events {
		args = append(args, ev.Symbol, ev.Price.String(), formatTime(ev.Timestamp))
	}
	ringKey := make(map[string]int, len(order))
	for j, sym := range order {
		s := syms[sym]
		keys = append(keys, b.keys.bars(sym))
		ringKey[sym] = j + 1
		args = append(args, sym, s.last+1, s.open.Day, s.open.Price.String())
	}
	for _, p := range parts {
		args = append(args, ringKey[p.symbol], p.Minute, p.Count,
			strconv.FormatInt(p.Open, 10), strconv.FormatInt(p.High, 10),
			strconv.FormatInt(p.Low, 10), strconv.FormatInt(p.Close, 10))
	}
	return keys, args
}

// symbolsOf returns the symbols of events in the order they first appear,
// with the index of each one's last event and its session open over the
// batch.
func symbolsOf(events []stock.StockPriceEvent) ([]string, map[string]batchSymbol) {
	var order []string
	syms := make(map[string]batchSymbol)
	for i, ev := range events {
		s, seen := syms[ev.Symbol]
		if !seen {
			order = append(order, ev.Symbol)
		}
		syms[ev.Symbol] = batchSymbol{last: i, open: s.open.Next(ev)}
	}
	return order, syms
}
