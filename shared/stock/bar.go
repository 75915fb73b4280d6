package stock

import "time"

// Bar is the OHLC summary of one symbol's prices over one interval: the
// first (Open), highest, lowest and last (Close) price of the events whose
// timestamps fall in [Start, Start+interval), and how many there were.
// Prices are exact decimals, as everywhere else.
type Bar struct {
	Symbol string    `json:"symbol"`
	Start  time.Time `json:"start"`
	Open   Price     `json:"open"`
	High   Price     `json:"high"`
	Low    Price     `json:"low"`
	Close  Price     `json:"close"`
	Count  int       `json:"count"`
}

// AggregateBars merges bars of one symbol, oldest first, into bars of
// interval, each starting at a multiple of interval since midnight UTC (an
// interval that divides a day), as MinuteBar.Merge merges bars: the open
// of the first, the close of the last, the highest high, the lowest low
// and the sum of counts. Bars already as long as interval come back
// unchanged.
func AggregateBars(bars []Bar, interval time.Duration) []Bar {
	var out []Bar
	for _, b := range bars {
		start := b.Start.Truncate(interval)
		if n := len(out); n > 0 && out[n-1].Start.Equal(start) {
			out[n-1].merge(b)
			continue
		}
		b.Start = start
		out = append(out, b)
	}
	return out
}

// merge adds later, the bar that follows b within a longer bar, to b by
// MinuteBar.Merge (counts are added as ints: a long bar may count more
// than a MinuteBar holds).
func (b *Bar) merge(later Bar) {
	m := MinuteBar{Open: b.Open.micros, High: b.High.micros, Low: b.Low.micros, Close: b.Close.micros}
	m.Merge(MinuteBar{Open: later.Open.micros, High: later.High.micros, Low: later.Low.micros, Close: later.Close.micros})
	b.High, b.Low, b.Close = Price{m.High}, Price{m.Low}, Price{m.Close}
	b.Count += later.Count
}
