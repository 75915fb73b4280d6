package stock

import "time"

// SessionOpen is a symbol's session open: the first price received for
// the newest UTC day of its events. An event of an older day leaves it
// unchanged, so a late event never resets the open of the current day;
// the first event of a newer day starts a new session at its price.
type SessionOpen struct {
	Day   int64 // the UTC day, in days since 1970-01-01 (see UnixDay)
	Price Price
}

// UnixDay returns the UTC day of t (its SessionDay) in days since
// 1970-01-01, rounded towards the past: Unix time has no leap seconds, so
// every day is 86,400 s.
func UnixDay(t time.Time) int64 {
	sec := t.Unix()
	day := sec / 86400
	if sec < 0 && sec%86400 != 0 {
		day--
	}
	return day
}

// SessionDay returns the UTC day, as midnight, whose session t belongs to.
func SessionDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Next returns the open after ev is received.
func (o SessionOpen) Next(ev StockPriceEvent) SessionOpen {
	return o.Merge(SessionOpen{Day: UnixDay(ev.Timestamp), Price: ev.Price})
}

// Merge returns the open after the events summarised by later (an open
// folded over them from the zero SessionOpen) are received.
func (o SessionOpen) Merge(later SessionOpen) SessionOpen {
	if o.Price.IsZero() || later.Day > o.Day {
		return later
	}
	return o
}

// Latest returns ev with this open, which it carries only if ev belongs
// to the open's day: a late event of an earlier day carries none.
func (o SessionOpen) Latest(ev StockPriceEvent) Latest {
	l := Latest{StockPriceEvent: ev}
	if !o.Price.IsZero() && UnixDay(ev.Timestamp) == o.Day {
		l.Open = o.Price
	}
	return l
}
