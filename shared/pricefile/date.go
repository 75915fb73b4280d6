package pricefile

import (
	"fmt"
	"time"
)

// DefaultTimeZone is where a time written without a zone is read, unless
// Options say otherwise: the time of the US stock exchanges.
const DefaultTimeZone = "America/New_York"

// closeHour is the time of day a date alone stands for: the close of a
// US trading day, 16:00 in the file's time zone.
const closeHour = 16

// dateLayout is a way dates are written.
type dateLayout struct {
	layout string
	// dateOnly layouts stand for that day's close.
	dateOnly bool
}

// dateLayouts are the dates and times read, as sources write them. A
// layout without a zone is read in the file's time zone.
var dateLayouts = []dateLayout{
	{"2006-01-02", true},
	{"2006-01-02 15:04:05", false},
	{time.RFC3339Nano, false},
	{"2006-01-02T15:04:05.999999999", false},
	{"2006-01-02 15:04:05.999999999", false},
	{"2006-01-02 15:04:05.999999999Z07:00", false},
	{"2006-01-02 15:04", false},
	{"2006-01-02T15:04", false},
	{"1/2/2006", true},
	{"1/2/2006 15:04:05", false},
	{"1/2/2006 15:04", false},
	{"20060102", true},
	{"20060102 150405", false},
	{"2.1.2006", true},
	{"2.1.2006 15:04:05", false},
	{"2.1.2006 15:04", false},
	{"Jan 2 2006", true},
	{"Jan 2, 2006", true},
	{"January 2 2006", true},
	{"January 2, 2006", true},
	{"2 Jan 2006", true},
}

// minTime is the earliest timestamp accepted: the server refuses earlier.
var minTime = time.Unix(0, 0).UTC()

// dateParser reads dates, trying first the layout that read the last one:
// a file writes every date the same way.
type dateParser struct {
	loc  *time.Location
	last int
}

// parse reads a date or time in one of dateLayouts: a date alone is that
// day's close (16:00) and a time without a zone is read in p.loc. The
// result is in UTC.
func (p *dateParser) parse(s string) (time.Time, error) {
	if t, ok := p.try(p.last, s); ok {
		return p.check(t, s)
	}
	for i := range dateLayouts {
		if t, ok := p.try(i, s); ok {
			p.last = i
			return p.check(t, s)
		}
	}
	return time.Time{}, fmt.Errorf("date %q: want a date such as 2024-01-02, 01/02/2024, 20240102 or 02.01.2024, or a time such as 2024-01-02 15:30:00 or 2024-01-02T15:30:00Z", clip(s))
}

// try parses s with the layout at i.
func (p *dateParser) try(i int, s string) (time.Time, bool) {
	l := dateLayouts[i]
	t, err := time.ParseInLocation(l.layout, s, p.loc)
	if err != nil {
		return time.Time{}, false
	}
	if l.dateOnly {
		y, m, d := t.Date()
		t = time.Date(y, m, d, closeHour, 0, 0, 0, p.loc)
	}
	return t, true
}

func (p *dateParser) check(t time.Time, s string) (time.Time, error) {
	if t.Before(minTime) {
		return time.Time{}, fmt.Errorf("date %q is before 1970", clip(s))
	}
	return t.UTC(), nil
}
