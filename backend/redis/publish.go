package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// publishScript appends a batch of events atomically and updates the latest
// events, session opens and bars with them.
//
// KEYS: seq, events, latest, floor, the publish's receipt, then the bar
// ring of each symbol of the batch.
// ARGV: history, the time in microseconds, the publisher's floor, the
// symbol cap (0: none), the numbers of events, symbols and partial bars,
// the digest of the quotes ("" without a key), the receipt's lifetime in
// seconds, then symbol, price and timestamp per event; symbol, index of
// its last event, open day and open price per symbol (in the order of the
// ring keys); ring key index, minute, count and open, high, low, close in
// millionths per partial bar.
// It returns {"ok", first id}, {"repeat", receipt} when the receipt key
// exists, or {"full", symbols held, new symbols} when the batch would add
// symbols past the cap (then it changed nothing). Ids are formatted with %d: Lua numbers
// are doubles, exact for integers below 2^53 (ids in microseconds reach it
// in the year 2255).
//
// Ids follow backend.NextSeq: the first is above the newest id (seq), the
// floor any instance raised (floor) and the publisher's own floor, and at
// least the time; the others follow it. Each entry stores a, its id minus
// the accept time, and g, its id minus the previous entry's id, so that a
// reader knows whether the stream continues from the entry it saw last
// (ids are not consecutive). A missing counter (Redis lost its data)
// continues from the stream's newest entry, if any.
//
// The latest hash costs one read and one write per symbol of the batch,
// the bars one read and one write per symbol and minute (foldBars). A ring
// is a string of stock.BarWindow records (see decodeRing), each at the
// offset of its minute of the day: a slot holds the newest minute written
// to it, and reading the ring over the 24 hours up to its newest minute
// gives the bars of stock.MinuteBars (TestScriptFollowsTheRule holds it to
// stocktest.Cases). It is made at its full size at once, so that Redis
// never grows (and over-allocates) it.
var publishScript = goredis.NewScript(`
local RECORD, RING, FORMAT = 40, 40 * 1440, '<i4i4i8i8i8i8'
local now, floor, cap = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local nev, nsym, npart = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local digest = ARGV[8]
if digest ~= '' then
  local receipt = redis.call('GET', KEYS[5])
  if receipt then
    return {'repeat', receipt}
  end
end
local a = 10 + 3 * nev
if cap > 0 then
  local new = 0
  for j = 0, nsym - 1 do
    new = new + 1 - redis.call('HEXISTS', KEYS[3], ARGV[a + 4 * j])
  end
  local held = redis.call('HLEN', KEYS[3])
  if new > 0 and held + new > cap then
    return {'full', tostring(held), tostring(new)}
  end
end
local last = redis.call('GET', KEYS[1])
if last then
  last = tonumber(last)
else
  last = 0
  local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
  if #newest > 0 then
    last = tonumber(string.match(newest[1][1], '^(%d+)'))
  end
end
local raised = tonumber(redis.call('GET', KEYS[4]) or '0')
local first = math.max(last + 1, floor + 1, raised + 1, now)
local ids = {}
local e = 10
for i = 1, nev do
  local seq = first + i - 1
  local gap = 1
  if i == 1 then
    gap = first - last
  end
  ids[i] = string.format('%d', seq)
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], ids[i] .. '-0',
    's', ARGV[e], 'p', ARGV[e + 1], 't', ARGV[e + 2],
    'a', string.format('%d', seq - now), 'g', string.format('%d', gap))
  e = e + 3
end
redis.call('SET', KEYS[1], ids[nev])
if digest ~= '' then
  redis.call('SET', KEYS[5], ids[1] .. ' ' .. ARGV[2] .. ' ' .. digest, 'EX', ARGV[9])
end
for j = 1, nsym do
  local sym, idx, day, open = ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2], ARGV[a + 3]
  local old = redis.call('HGET', KEYS[3], sym)
  if old then
    local oday, oopen = string.match(old, '^%S+ %S+ %S+ (-?%d+) (%S+)$')
    if oday and tonumber(day) <= tonumber(oday) then
      day, open = oday, oopen
    end
  end
  local ev = 10 + 3 * (idx - 1)
  redis.call('HSET', KEYS[3], sym, ids[idx] .. ' ' .. ARGV[ev + 1] .. ' ' .. ARGV[ev + 2] .. ' ' .. day .. ' ' .. open)
  a = a + 4
end
local sized = {}
for k = 1, npart do
  local key = KEYS[5 + tonumber(ARGV[a])]
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
return {'ok', ids[1]}
`)

// Publish appends the quotes to the stream in one atomic step; every
// instance's reader then delivers them to its subscribers. A keyed
// publish leaves a receipt for backend.KeyTTL that answers its repeats.
// The script is never retried by the client library: after a timeout it
// may have run, and only the caller knows whether it may run again (with
// a key it may).
func (b *Broker) Publish(ctx context.Context, req backend.PublishRequest) ([]stock.StockPriceEvent, error) {
	if b.isClosed() {
		return nil, backend.ErrClosed
	}
	if len(req.Quotes) == 0 {
		return nil, nil
	}
	now := b.now().Truncate(time.Microsecond)
	events := backend.Stamp(req.Quotes, now)
	keys, args := b.scriptArgs(req, events, now)
	res, err := publishScript.Run(ctx, b.rdb, keys, args...).StringSlice()
	if err != nil {
		return nil, unavailable("publish to "+b.keys.events, err)
	}
	return b.answer(req, events, res)
}

// answer turns the script's reply into the published events.
func (b *Broker) answer(req backend.PublishRequest, events []stock.StockPriceEvent, res []string) ([]stock.StockPriceEvent, error) {
	if len(res) < 2 {
		return nil, fmt.Errorf("publish to %s: unexpected reply %q", b.keys.events, res)
	}
	switch res[0] {
	case "repeat":
		rc, err := decodeReceipt(res[1])
		if err != nil {
			return nil, err
		}
		return rc.Repeat(req.Quotes)
	case "full":
		held, _ := strconv.Atoi(res[1])
		added, _ := strconv.Atoi(res[len(res)-1])
		return nil, backend.TooManySymbols(added, held, b.maxSymbols)
	}
	first, ok := stock.ParseID(res[1])
	if res[0] != "ok" || !ok {
		return nil, fmt.Errorf("publish to %s: unexpected reply %q", b.keys.events, res)
	}
	for i := range events {
		events[i].ID = stock.FormatID(first + uint64(i))
	}
	b.saw(first + uint64(len(events)) - 1)
	return events, nil
}

// batchSymbol is what a batch changes of one symbol's latest entry.
type batchSymbol struct {
	last int // index of its last event in the batch
	open stock.SessionOpen
}

// scriptArgs returns the keys and arguments of publishScript for the
// events of req, stamped at now.
func (b *Broker) scriptArgs(req backend.PublishRequest, events []stock.StockPriceEvent, now time.Time) ([]string, []any) {
	order, syms := symbolsOf(events)
	parts := foldBars(events)
	digest := ""
	if req.Key != "" {
		digest = backend.Digest(req.Quotes)
	}
	keys := make([]string, 0, 5+len(order))
	keys = append(keys, b.keys.seq, b.keys.events, b.keys.latest, b.keys.floor, b.keys.receipt(req.Key))
	args := make([]any, 0, 9+3*len(events)+4*len(order)+7*len(parts))
	args = append(args, b.history, now.UnixMicro(), b.floorSeen(), b.maxSymbols,
		len(events), len(order), len(parts), digest, int(backend.KeyTTL/time.Second))
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
