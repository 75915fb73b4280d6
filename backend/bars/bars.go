// Package bars keeps what brokers summarise of each symbol's prices:
// one-minute OHLC bars over the last 24 hours, in a fixed ring per symbol,
// and the session open. Brokers update them as events are published; the
// rules below are the same for every broker (the Redis broker's publish
// script follows them too). Longer bars are aggregated from the one-minute
// ones with stock.AggregateBars.
//
//   - An event counts in the bar of the UTC minute of its timestamp. A
//     symbol's ring has one slot per minute of the day and a slot holds the
//     newest minute written to it: an event of a newer minute starts a new
//     bar there, an event of an older minute than the slot holds is not
//     counted.
//   - A bar's open is the first event received for its minute, its close
//     the last one, high and low the extremes, count the number of events.
//   - Bars are read over the 24 hours up to the symbol's newest bar.
//   - The session open (see Open) is the first price received for the
//     newest UTC day of the symbol's events.
package bars

import (
	"math"
	"slices"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Slots is the number of one-minute bars kept per symbol: 24 hours.
const Slots = 24 * 60

// Slot is one minute of one symbol's prices in a compact form: prices in
// millionths (stock.Price.Micros). A zero Count marks an empty slot.
type Slot struct {
	Minute                 int32 // minutes since 1970-01-01T00:00Z
	Count                  int32
	Open, High, Low, Close int64
}

// Of returns the one-event bar of ev. ok is false for a timestamp outside
// the minutes a Slot can hold (before 1970 or after the year 6000): such an
// event is not counted in any bar.
func Of(ev stock.StockPriceEvent) (s Slot, ok bool) {
	m, ok := minuteOf(ev.Timestamp)
	p := ev.Price.Micros()
	return Slot{Minute: m, Count: 1, Open: p, High: p, Low: p, Close: p}, ok
}

// minuteOf returns the minute of t since 1970-01-01T00:00Z; ok is false if
// a Slot cannot hold it.
func minuteOf(t time.Time) (m int32, ok bool) {
	sec := t.Unix()
	if sec < 0 || sec/60 > math.MaxInt32 {
		return 0, false
	}
	return int32(sec / 60), true
}

// Index returns the position of the slot's minute in a ring: its minute of
// the UTC day.
func (s Slot) Index() int { return index(s.Minute) }

func index(minute int32) int { return int(uint32(minute) % Slots) }

// Merge adds the later bar p of the same ring position to s: p starts a new
// bar if s is empty or of an older minute, extends s if of the same minute,
// and is dropped if older than s.
func (s *Slot) Merge(p Slot) { s.add(p.Minute, p.Count, p.Open, p.High, p.Low, p.Close) }

// add is Merge with the later bar's fields as arguments, which keeps the
// one-event path of Ring.Count free of copies: a few nanoseconds an event.
func (s *Slot) add(minute, count int32, open, high, low, close int64) {
	switch {
	case s.Count == 0 || minute > s.Minute:
		*s = Slot{Minute: minute, Count: count, Open: open, High: high, Low: low, Close: close}
	case minute == s.Minute:
		s.High = max(s.High, high)
		s.Low = min(s.Low, low)
		s.Close = close
		s.Count += count
	}
}

// Bar returns s as the bar of symbol.
func (s Slot) Bar(symbol string) stock.Bar {
	return stock.Bar{
		Symbol: symbol,
		Start:  time.Unix(int64(s.Minute)*60, 0).UTC(),
		Open:   stock.PriceFromMicros(s.Open),
		High:   stock.PriceFromMicros(s.High),
		Low:    stock.PriceFromMicros(s.Low),
		Close:  stock.PriceFromMicros(s.Close),
		Count:  int(s.Count),
	}
}

// Window returns the bars of symbol held in slots (a ring's contents, in
// any order) over the 24 hours up to the newest of them, oldest first.
func Window(symbol string, slots []Slot) []stock.Bar {
	newest := int32(-1)
	for _, s := range slots {
		if s.Count > 0 {
			newest = max(newest, s.Minute)
		}
	}
	var out []stock.Bar
	for _, s := range slots {
		if s.Count > 0 && s.Minute > newest-Slots {
			out = append(out, s.Bar(symbol))
		}
	}
	slices.SortFunc(out, func(a, b stock.Bar) int { return a.Start.Compare(b.Start) })
	return out
}

// Partial is the bar of one symbol's events of one minute in one publish
// batch, to be merged into the symbol's ring.
type Partial struct {
	Symbol string
	Slot
}

// Fold summarises a batch of events into one partial bar per symbol and
// minute, in the order each first appears. Merging them into the rings
// gives the same bars as adding the events one by one, with one read and
// one write per symbol and minute instead of one per event.
func Fold(events []stock.StockPriceEvent) []Partial {
	type key struct {
		symbol string
		minute int32
	}
	at := make(map[key]int, len(events))
	var out []Partial
	for _, ev := range events {
		s, ok := Of(ev)
		if !ok {
			continue
		}
		k := key{ev.Symbol, s.Minute}
		if i, seen := at[k]; seen {
			out[i].Merge(s)
			continue
		}
		at[k] = len(out)
		out = append(out, Partial{Symbol: ev.Symbol, Slot: s})
	}
	return out
}
