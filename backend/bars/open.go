package bars

import (
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Open is a symbol's session open: the first price received for the newest
// UTC day of its events. An event of an older day leaves it unchanged, so a
// late event never resets the open of the current day.
type Open struct {
	Day   int64 // days since 1970-01-01 UTC
	Price stock.Price
}

// Day returns the UTC day of t (its stock.SessionDay), in days since
// 1970-01-01: Unix time has no leap seconds, so every day is 86,400 s.
func Day(t time.Time) int64 {
	sec := t.Unix()
	day := sec / 86400
	if sec < 0 && sec%86400 != 0 {
		day-- // round towards the past
	}
	return day
}

// Next returns the open after ev is received.
func (o Open) Next(ev stock.StockPriceEvent) Open {
	return o.Merge(Open{Day: Day(ev.Timestamp), Price: ev.Price})
}

// Merge returns the open after the events summarised by later (an Open
// folded over them from the zero Open) are received.
func (o Open) Merge(later Open) Open {
	if o.Price.IsZero() || later.Day > o.Day {
		return later
	}
	return o
}

// Latest returns ev with this open, which it carries only if ev belongs to
// the open's day.
func (o Open) Latest(ev stock.StockPriceEvent) stock.Latest {
	l := stock.Latest{StockPriceEvent: ev}
	if Day(ev.Timestamp) == o.Day {
		l.Open = o.Price
	}
	return l
}
