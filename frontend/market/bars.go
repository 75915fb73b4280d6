package market

import (
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// BarInterval is the length of the bars a symbol's chart shows.
const BarInterval = time.Minute

// ChartSpan is how much of the past a symbol's chart shows.
const ChartSpan = time.Hour

// Closes returns the close of every bar, oldest first: a sparkline of the
// recent past.
func Closes(bars []stock.Bar) []float64 {
	out := make([]float64, len(bars))
	for i, b := range bars {
		out[i] = b.Close.Float64()
	}
	return out
}

// Fold adds a live event to one-minute bars (oldest first) and returns them
// in a new slice, by the rule the server keeps (stock.MinuteBars): the event
// counts in the bar of its own minute, a late one too, and bars that end
// more than ChartSpan before the newest are dropped.
func Fold(bars []stock.Bar, e stock.StockPriceEvent) []stock.Bar {
	var m stock.MinuteBars
	for _, b := range bars {
		if mb, ok := b.MinuteBar(); ok {
			m.Add(mb)
		}
	}
	if !m.Count(e.Timestamp, e.Price) {
		return bars
	}
	return Recent(m.Bars(e.Symbol))
}

// Recent returns the bars of the ChartSpan that ends with the last bar.
func Recent(bars []stock.Bar) []stock.Bar {
	if len(bars) == 0 {
		return bars
	}
	from := bars[len(bars)-1].Start.Add(BarInterval - ChartSpan)
	i := 0
	for i < len(bars) && bars[i].Start.Before(from) {
		i++
	}
	return bars[i:]
}

// Day is a symbol's session so far: its open, and its highest and lowest
// price.
type Day struct {
	Open  stock.Price `json:"open"`
	High  stock.Price `json:"high"`
	Low   stock.Price `json:"low"`
	Start time.Time   `json:"start"` // the UTC midnight the session began
}

// DayOf returns the session of the latest event from bars of any length
// that cover it (oldest first): bars of earlier days do not count.
func DayOf(latest stock.Latest, bars []stock.Bar) Day {
	d := Day{Open: latest.Open, High: latest.Price, Low: latest.Price, Start: stock.SessionDay(latest.Timestamp)}
	if d.Open.IsZero() {
		d.Open = latest.Price
	}
	for _, b := range bars {
		if !b.Start.Before(d.Start) {
			d.High, d.Low = maxPrice(d.High, b.High), minPrice(d.Low, b.Low)
		}
	}
	return d
}

// Move returns the session after a live event: a later day starts a new
// session at its price (stock.SessionOpen).
func (d Day) Move(e stock.StockPriceEvent) Day {
	open := stock.SessionOpen{Day: stock.UnixDay(d.Start), Price: d.Open}
	if next := open.Next(e); next != open {
		return Day{Open: e.Price, High: e.Price, Low: e.Price, Start: stock.SessionDay(e.Timestamp)}
	}
	d.High, d.Low = maxPrice(d.High, e.Price), minPrice(d.Low, e.Price)
	return d
}

// Merge returns the session that d and o tell of together: the later day's,
// or for the same day d's open with the higher high and the lower low.
func (d Day) Merge(o Day) Day {
	switch {
	case d.Open.IsZero() || o.Start.After(d.Start):
		return o
	case o.Open.IsZero() || d.Start.After(o.Start):
		return d
	}
	d.High, d.Low = maxPrice(d.High, o.High), minPrice(d.Low, o.Low)
	return d
}

func maxPrice(a, b stock.Price) stock.Price {
	if b.Micros() > a.Micros() {
		return b
	}
	return a
}

func minPrice(a, b stock.Price) stock.Price {
	if a.IsZero() || b.Micros() < a.Micros() {
		return b
	}
	return a
}
