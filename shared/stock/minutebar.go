package stock

import (
	"math"
	"time"
)

// BarWindow is how many one-minute bars a symbol keeps: those of the 24
// hours up to its newest bar.
const BarWindow = 24 * 60

// MinuteBar is the compact form of a one-minute bar, as brokers store it:
// the minute since 1970-01-01T00:00Z and prices in millionths
// (Price.Micros). Its 40 bytes are the record of the Redis broker's bar
// ring.
type MinuteBar struct {
	Minute                 int32
	Count                  int32
	Open, High, Low, Close int64
}

// MinuteOf returns the minute of t since 1970-01-01T00:00Z; ok is false
// for a time a MinuteBar cannot hold (before 1970 or after the year 6053).
func MinuteOf(t time.Time) (minute int32, ok bool) {
	sec := t.Unix()
	if sec < 0 || sec/60 > math.MaxInt32 {
		return 0, false
	}
	return int32(sec / 60), true
}

// MinuteBarOf returns the bar of one event: a price at t. ok is false when
// MinuteOf refuses t: such an event counts in no bar.
func MinuteBarOf(t time.Time, price Price) (b MinuteBar, ok bool) {
	m, ok := MinuteOf(t)
	p := price.Micros()
	return MinuteBar{Minute: m, Count: 1, Open: p, High: p, Low: p, Close: p}, ok
}

// Merge adds to b the bar of events of the same minute received after
// b's: the open stays b's (the first received), the close becomes later's
// (the last received, whatever its timestamp within the minute), high and
// low are the extremes and the counts add up. This is the one rule of how
// bars merge; AggregateBars follows it for longer bars.
func (b *MinuteBar) Merge(later MinuteBar) {
	b.High = max(b.High, later.High)
	b.Low = min(b.Low, later.Low)
	b.Close = later.Close
	b.Count += later.Count
}

// Start returns the UTC time the bar's minute starts.
func (b MinuteBar) Start() time.Time { return time.Unix(int64(b.Minute)*60, 0).UTC() }

// Bar returns b as the bar of symbol.
func (b MinuteBar) Bar(symbol string) Bar {
	return Bar{
		Symbol: symbol,
		Start:  b.Start(),
		Open:   Price{b.Open},
		High:   Price{b.High},
		Low:    Price{b.Low},
		Close:  Price{b.Close},
		Count:  int(b.Count),
	}
}

// MinuteBar returns b in compact form; ok is false if b's start is not a
// minute a MinuteBar can hold. Seconds within the minute are dropped.
func (b Bar) MinuteBar() (m MinuteBar, ok bool) {
	minute, ok := MinuteOf(b.Start)
	return MinuteBar{
		Minute: minute, Count: int32(min(b.Count, math.MaxInt32)),
		Open: b.Open.micros, High: b.High.micros, Low: b.Low.micros, Close: b.Close.micros,
	}, ok
}
