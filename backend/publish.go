package backend

import (
	"cmp"
	"slices"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Stamp turns validated quotes into events without ids: a quote without a
// timestamp is stamped with now, and every timestamp is in UTC.
func Stamp(quotes []stock.Quote, now time.Time) []stock.StockPriceEvent {
	out := make([]stock.StockPriceEvent, len(quotes))
	for i, q := range quotes {
		ts := q.Timestamp
		if ts.IsZero() {
			ts = now
		}
		out[i] = stock.StockPriceEvent{Symbol: q.Symbol, Price: q.Price, Timestamp: ts.UTC()}
	}
	return out
}

// ClockSeq is the id counter's value for a store that holds nothing: the
// current time in microseconds. Ids after a restart without data are then
// higher than every id a client may still hold, so an old id is never
// mistaken for a new event.
func ClockSeq() uint64 { return uint64(time.Now().UnixMicro()) }

// SnapshotOf keeps the latest events of the wanted symbols (every symbol if
// none) and sorts them by symbol, reusing latest's memory.
func SnapshotOf(latest []stock.Latest, symbols []string) []stock.Latest {
	if len(symbols) > 0 {
		latest = slices.DeleteFunc(latest, func(l stock.Latest) bool { return !slices.Contains(symbols, l.Symbol) })
	}
	slices.SortFunc(latest, func(a, b stock.Latest) int { return cmp.Compare(a.Symbol, b.Symbol) })
	return latest
}
