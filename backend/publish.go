package backend

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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

// NextSeq returns the id of the first event of a publish accepted at now
// into a stream whose newest id is last, by a publisher that has seen ids
// up to floor: above both, and at least now in microseconds since 1970.
// The events of one publish take consecutive ids from it.
//
// The time base keeps ids from going back when the store loses its tail
// (a restart from an older snapshot, a failover to a lagging replica): an
// id given before the loss was given at an earlier time, so a new one is
// above it even when no surviving instance saw it, as long as publishes
// run below a million events a second and clocks are closer than the
// outage is long. The floor covers what the clocks cannot: every instance
// passes the highest id it has seen.
func NextSeq(last, floor uint64, now time.Time) uint64 {
	return max(last+1, floor+1, uint64(max(now.UnixMicro(), 0)))
}

// TooManySymbols is the error of a publish refused for adding symbols
// (added of them) to the held ones past the cap.
func TooManySymbols(added, held, cap int) error {
	return fmt.Errorf("%w: the publish adds %d new ones to the %d held, past the cap of %d (--max-symbols)", ErrTooManySymbols, added, held, cap)
}

// KeyTTL is how long a broker remembers the key of a publish.
const KeyTTL = 24 * time.Hour

// Receipt is what a broker keeps of a publish made with a key, to answer a
// repeat of it: the id of its first event, when it was accepted (the
// timestamp of its quotes that had none) and the Digest of its quotes.
type Receipt struct {
	First  uint64
	At     time.Time
	Digest string
}

// Repeat returns the events the publish of r answered with, for its quotes
// sent again under the same key; ErrKeyReused if they are other quotes.
func (r Receipt) Repeat(quotes []stock.Quote) ([]stock.StockPriceEvent, error) {
	if Digest(quotes) != r.Digest {
		return nil, ErrKeyReused
	}
	out := Stamp(quotes, r.At)
	for i := range out {
		out[i].ID = stock.FormatID(r.First + uint64(i))
	}
	return out, nil
}

// Digest identifies a list of quotes: 32 hex digits of a SHA-256 of their
// symbols, prices and timestamps (none for a quote without one).
func Digest(quotes []stock.Quote) string {
	h := sha256.New()
	var buf []byte
	for _, q := range quotes {
		buf = append(append(buf[:0], q.Symbol...), ' ')
		buf, _ = q.Price.AppendText(buf)
		buf = append(buf, ' ')
		if !q.Timestamp.IsZero() {
			buf = q.Timestamp.UTC().AppendFormat(buf, time.RFC3339Nano)
		}
		h.Write(append(buf, '\n'))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// SnapshotOf keeps the latest events of the wanted symbols (every symbol if
// none) and sorts them by symbol, reusing latest's memory.
func SnapshotOf(latest []stock.Latest, symbols []string) []stock.Latest {
	if len(symbols) > 0 {
		latest = slices.DeleteFunc(latest, func(l stock.Latest) bool { return !slices.Contains(symbols, l.Symbol) })
	}
	slices.SortFunc(latest, func(a, b stock.Latest) int { return cmp.Compare(a.Symbol, b.Symbol) })
	return latest
}
