package redis

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// Fields of a stream entry.
const (
	fieldSymbol = "s"
	fieldPrice  = "p"
	fieldTime   = "t"
)

// entryID is the stream entry id of event seq: the id is the millisecond
// part, so an incomplete id "<seq>" in XRANGE and XREAD means "<seq>-0".
func entryID(seq uint64) string { return strconv.FormatUint(seq, 10) + "-0" }

// parseEntryID returns the event id of a stream entry id.
func parseEntryID(id string) (uint64, error) {
	ms, _, _ := strings.Cut(id, "-")
	seq, err := strconv.ParseUint(ms, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stream entry id %q: %w", id, err)
	}
	return seq, nil
}

// formatTime is the stored form of a timestamp.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// decodeEntry turns a stream entry into an event with its frame encoded.
func decodeEntry(msg goredis.XMessage) (*backend.Event, error) {
	seq, err := parseEntryID(msg.ID)
	if err != nil {
		return nil, err
	}
	sym, _ := msg.Values[fieldSymbol].(string)
	price, _ := msg.Values[fieldPrice].(string)
	ts, _ := msg.Values[fieldTime].(string)
	ev, err := decodeEvent(sym, price, ts)
	if err != nil {
		return nil, fmt.Errorf("stream entry %s: %w", msg.ID, err)
	}
	return backend.NewEvent(seq, ev), nil
}

// decodeEvent parses the stored symbol, price and timestamp of an event.
func decodeEvent(sym, price, ts string) (stock.StockPriceEvent, error) {
	if sym == "" {
		return stock.StockPriceEvent{}, errors.New("no symbol")
	}
	p, err := stock.ParsePrice(price)
	if err != nil {
		return stock.StockPriceEvent{}, fmt.Errorf("price: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return stock.StockPriceEvent{}, fmt.Errorf("timestamp: %w", err)
	}
	return stock.StockPriceEvent{Symbol: sym, Price: p, Timestamp: t.UTC()}, nil
}

// decodeLatest parses a value of the latest hash: "<id> <price> <timestamp>".
func decodeLatest(sym, v string) (stock.StockPriceEvent, error) {
	f := strings.Fields(v)
	if len(f) != 3 {
		return stock.StockPriceEvent{}, fmt.Errorf("latest %s: malformed %q", sym, v)
	}
	seq, ok := stock.ParseID(f[0])
	if !ok {
		return stock.StockPriceEvent{}, fmt.Errorf("latest %s: bad id %q", sym, f[0])
	}
	ev, err := decodeEvent(sym, f[1], f[2])
	if err != nil {
		return stock.StockPriceEvent{}, fmt.Errorf("latest %s: %w", sym, err)
	}
	ev.ID = stock.FormatID(seq)
	return ev, nil
}
