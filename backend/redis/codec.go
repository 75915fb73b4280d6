package redis

import (
	"encoding/binary"
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
	// fieldAccepted is the entry's id minus its accept time in
	// microseconds (ids are never below it).
	fieldAccepted = "a"
	// fieldGap is the entry's id minus the previous entry's id; an entry
	// without it (written before ids followed the clock) follows its
	// predecessor by one.
	fieldGap = "g"
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
	out := backend.NewEvent(seq, ev)
	if a, ok := entryNumber(msg, fieldAccepted); ok && a <= seq {
		out.Accepted = time.UnixMicro(int64(seq - a)).UTC()
	}
	return out, nil
}

// entryPrev returns the id of the entry before msg in the stream: what a
// reader must have seen last for msg to continue its stream.
func entryPrev(msg goredis.XMessage) (uint64, error) {
	seq, err := parseEntryID(msg.ID)
	if err != nil {
		return 0, err
	}
	gap, ok := entryNumber(msg, fieldGap)
	if !ok {
		gap = 1
	}
	if gap > seq {
		return 0, fmt.Errorf("stream entry %s: gap %d", msg.ID, gap)
	}
	return seq - gap, nil
}

// entryNumber returns the unsigned integer in field f of msg.
func entryNumber(msg goredis.XMessage, f string) (uint64, bool) {
	s, _ := msg.Values[f].(string)
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// decodeReceipt parses the receipt of a keyed publish: "<first id> <accept
// time in µs> <digest>".
func decodeReceipt(v string) (backend.Receipt, error) {
	f := strings.Fields(v)
	if len(f) != 3 {
		return backend.Receipt{}, fmt.Errorf("publish receipt: malformed %q", v)
	}
	first, ok := stock.ParseID(f[0])
	at, err := strconv.ParseInt(f[1], 10, 64)
	if !ok || err != nil {
		return backend.Receipt{}, fmt.Errorf("publish receipt: malformed %q", v)
	}
	return backend.Receipt{First: first, At: time.UnixMicro(at).UTC(), Digest: f[2]}, nil
}

// decodeEvent parses the stored symbol, price and timestamp of an event;
// the symbol must be one ParseSymbol leaves as it is.
func decodeEvent(sym, price, ts string) (stock.StockPriceEvent, error) {
	if sym == "" {
		return stock.StockPriceEvent{}, errors.New("no symbol")
	}
	if s, err := stock.ParseSymbol(sym); err != nil || s != sym {
		return stock.StockPriceEvent{}, fmt.Errorf("symbol %.20q is not a valid symbol in upper case", sym)
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

// decodeLatest parses a value of the latest hash: "<id> <price> <timestamp>
// <open day> <open price>" (an entry written before session opens were
// kept lacks the last two and carries no open).
func decodeLatest(sym, v string) (stock.Latest, error) {
	f := strings.Fields(v)
	if len(f) != 3 && len(f) != 5 {
		return stock.Latest{}, fmt.Errorf("latest %s: malformed %q", sym, v)
	}
	seq, ok := stock.ParseID(f[0])
	if !ok {
		return stock.Latest{}, fmt.Errorf("latest %s: bad id %q", sym, f[0])
	}
	ev, err := decodeEvent(sym, f[1], f[2])
	if err != nil {
		return stock.Latest{}, fmt.Errorf("latest %s: %w", sym, err)
	}
	ev.ID = stock.FormatID(seq)
	var open stock.SessionOpen
	if len(f) == 5 {
		if open, err = decodeOpen(f[3], f[4]); err != nil {
			return stock.Latest{}, fmt.Errorf("latest %s: %w", sym, err)
		}
	}
	return open.Latest(ev), nil
}

// decodeOpen parses the stored session open: its day and price.
func decodeOpen(day, price string) (stock.SessionOpen, error) {
	d, err := strconv.ParseInt(day, 10, 64)
	if err != nil {
		return stock.SessionOpen{}, fmt.Errorf("open day %q: %w", day, err)
	}
	p, err := stock.ParsePrice(price)
	if err != nil {
		return stock.SessionOpen{}, fmt.Errorf("open: %w", err)
	}
	return stock.SessionOpen{Day: d, Price: p}, nil
}

// ringRecord is the size of one slot of a stored bar ring: minute and
// count as 32-bit, open, high, low and close in millionths as 64-bit
// integers, little-endian (Lua struct format "<i4i4i8i8i8i8"), the layout of
// stock.MinuteBar.
const ringRecord = 40

// decodeRing returns the bars of a stored ring, in slot order, and how many
// of its values are malformed and left out: a record whose count is
// negative, whose minute is before 1970 or whose prices are not a bar's,
// and a ring of the wrong length (its whole records are still read, up to
// stock.BarWindow). Empty slots (count 0) are neither.
func decodeRing(b []byte) (out []stock.MinuteBar, malformed int) {
	if len(b) != stock.BarWindow*ringRecord {
		malformed++
		b = b[:min(len(b), stock.BarWindow*ringRecord)]
	}
	out = make([]stock.MinuteBar, 0, len(b)/ringRecord)
	for ; len(b) >= ringRecord; b = b[ringRecord:] {
		le := binary.LittleEndian
		s := stock.MinuteBar{
			Minute: int32(le.Uint32(b[0:])),
			Count:  int32(le.Uint32(b[4:])),
			Open:   int64(le.Uint64(b[8:])),
			High:   int64(le.Uint64(b[16:])),
			Low:    int64(le.Uint64(b[24:])),
			Close:  int64(le.Uint64(b[32:])),
		}
		switch {
		case s.Count == 0:
		case !validBar(s):
			malformed++
		default:
			out = append(out, s)
		}
	}
	return out, malformed
}

// validBar reports whether s can be a bar of published prices.
func validBar(s stock.MinuteBar) bool {
	const maxMicros = stock.MaxPrice * 1_000_000
	return s.Count > 0 && s.Minute >= 0 && 0 < s.Low && s.Low <= s.High && s.High <= maxMicros &&
		s.Low <= s.Open && s.Open <= s.High && s.Low <= s.Close && s.Close <= s.High
}
