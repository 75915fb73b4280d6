// Package stocktest holds the table of cases of the bar and session-open
// rule (stock.MinuteBars, stock.SessionOpen): what a symbol's events, in the
// order they are received, must leave. The Go rule is tested against it,
// and so is every other implementation of the rule (the Redis broker's
// publish script, the page's chart), so that none of them can drift.
package stocktest

import (
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Case is one symbol's events, in the order they are received, and what
// they must leave.
type Case struct {
	Name   string
	Events []stock.StockPriceEvent // symbol "T", without ids
	// Bars are the one-minute bars held afterwards, oldest first (nil for
	// none): those of the stock.BarWindow minutes up to the newest.
	Bars []stock.Bar
	// Open is the session open afterwards.
	Open stock.SessionOpen
	// LatestOpen is the open the latest (last received) event carries:
	// zero when it belongs to an older day than Open.
	LatestOpen stock.Price
}

// Day0 is the UTC day most cases happen on.
var Day0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// day0 is Day0 as a stock.UnixDay.
var day0 = stock.UnixDay(Day0)

const (
	sec = time.Second
	mn  = time.Minute
	h   = time.Hour
	day = 24 * h
)

// Cases is the table.
var Cases = []Case{
	{
		Name:       "one event",
		Events:     evs(at(9*h+30*mn+15*sec, "10")),
		Bars:       bars(bar(9*h+30*mn, "10", "10", "10", "10", 1)),
		Open:       open(day0, "10"),
		LatestOpen: p("10"),
	},
	{
		Name:       "a minute's bar: the first received opens, the last closes, whatever their timestamps",
		Events:     evs(at(9*h+30*mn+20*sec, "10"), at(9*h+30*mn+50*sec, "12"), at(9*h+30*mn, "9"), at(9*h+30*mn+10*sec, "11")),
		Bars:       bars(bar(9*h+30*mn, "10", "12", "9", "11", 4)),
		Open:       open(day0, "10"),
		LatestOpen: p("10"),
	},
	{
		Name:   "the last nanosecond of a minute and the first of the next",
		Events: evs(at(9*h+31*mn-1, "1.000001"), at(9*h+31*mn, "2")),
		Bars: bars(
			bar(9*h+30*mn, "1.000001", "1.000001", "1.000001", "1.000001", 1),
			bar(9*h+31*mn, "2", "2", "2", "2", 1)),
		Open:       open(day0, "1.000001"),
		LatestOpen: p("1.000001"),
	},
	{
		Name:   "a late event counts in its own minute, before the newest bar",
		Events: evs(at(10*h, "10"), at(10*h+5*mn, "11"), at(10*h+2*mn, "9")),
		Bars: bars(
			bar(10*h, "10", "10", "10", "10", 1),
			bar(10*h+2*mn, "9", "9", "9", "9", 1),
			bar(10*h+5*mn, "11", "11", "11", "11", 1)),
		Open:       open(day0, "10"),
		LatestOpen: p("10"),
	},
	{
		Name:   "a late event into an existing bar becomes its close",
		Events: evs(at(10*h, "10"), at(10*h+mn, "11"), at(10*h+30*sec, "9.5")),
		Bars: bars(
			bar(10*h, "10", "10", "9.5", "9.5", 2),
			bar(10*h+mn, "11", "11", "11", "11", 1)),
		Open:       open(day0, "10"),
		LatestOpen: p("10"),
	},
	{
		Name:   "the window is 24 hours up to the newest bar",
		Events: evs(at(0, "1"), at(mn, "2"), at(day, "3")),
		Bars: bars(
			bar(mn, "2", "2", "2", "2", 1),
			bar(day, "3", "3", "3", "3", 1)),
		Open:       open(day0+1, "3"),
		LatestOpen: p("3"),
	},
	{
		Name:   "the same minute of the next day replaces a bar",
		Events: evs(at(10*h, "1"), at(10*h+20*sec, "2"), at(day+10*h+10*sec, "3")),
		Bars:   bars(bar(day+10*h, "3", "3", "3", "3", 1)),
		Open:   open(day0+1, "3"), LatestOpen: p("3"),
	},
	{
		Name:   "an event 24 hours before the newest bar is not counted, one a minute later is",
		Events: evs(at(day+10*h, "5"), at(10*h+59*sec, "1"), at(10*h+mn, "2")),
		Bars: bars(
			bar(10*h+mn, "2", "2", "2", "2", 1),
			bar(day+10*h, "5", "5", "5", "5", 1)),
		Open:       open(day0+1, "5"),
		LatestOpen: p(""),
	},
	{
		Name: "a full day of bars, then the next minute pushes out the oldest",
		Events: append(everyMinute(0, stock.BarWindow, "7"),
			at(day+30*sec, "8")),
		Bars:       append(minuteBars(mn, stock.BarWindow-1, "7"), bar(day, "8", "8", "8", "8", 1)),
		Open:       open(day0+1, "8"),
		LatestOpen: p("8"),
	},
	{
		Name:       "the session open is the first price received of the day",
		Events:     evs(at(9*h, "20"), at(15*h, "21"), at(8*h, "19")),
		Bars:       bars(bar(8*h, "19", "19", "19", "19", 1), bar(9*h, "20", "20", "20", "20", 1), bar(15*h, "21", "21", "21", "21", 1)),
		Open:       open(day0, "20"),
		LatestOpen: p("20"),
	},
	{
		Name:       "midnight starts the next day's session",
		Events:     evs(at(day-1, "1"), at(day, "2")),
		Bars:       bars(bar(day-mn, "1", "1", "1", "1", 1), bar(day, "2", "2", "2", "2", 1)),
		Open:       open(day0+1, "2"),
		LatestOpen: p("2"),
	},
	{
		Name:       "a late event of the day before keeps the open and carries none",
		Events:     evs(at(9*h, "20"), at(day+9*h, "22"), at(23*h, "19")),
		Bars:       bars(bar(23*h, "19", "19", "19", "19", 1), bar(day+9*h, "22", "22", "22", "22", 1)),
		Open:       open(day0+1, "22"),
		LatestOpen: p(""),
	},
	{
		Name:       "an event of the current day after a late one carries the open again",
		Events:     evs(at(day+9*h, "22"), at(23*h, "19"), at(day+10*h, "23")),
		Bars:       bars(bar(23*h, "19", "19", "19", "19", 1), bar(day+9*h, "22", "22", "22", "22", 1), bar(day+10*h, "23", "23", "23", "23", 1)),
		Open:       open(day0+1, "22"),
		LatestOpen: p("22"),
	},
	{
		Name:       "a day far ahead starts its session; the days between are skipped",
		Events:     evs(at(9*h, "20"), at(400*day+9*h, "30")),
		Bars:       bars(bar(400*day+9*h, "30", "30", "30", "30", 1)),
		Open:       open(day0+400, "30"),
		LatestOpen: p("30"),
	},
	{
		Name: "before 1970 counts in no bar but has a session",
		Events: []stock.StockPriceEvent{
			{Symbol: "T", Price: p("5"), Timestamp: time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)},
			{Symbol: "T", Price: p("4"), Timestamp: time.Date(1969, 12, 20, 12, 0, 0, 0, time.UTC)},
		},
		Open:       open(-1, "5"),
		LatestOpen: p(""),
	},
	{
		Name: "the first minute of 1970 counts",
		Events: []stock.StockPriceEvent{
			{Symbol: "T", Price: p("5"), Timestamp: time.Unix(-1, 0).UTC()},
			{Symbol: "T", Price: p("6"), Timestamp: time.Unix(59, 999999999).UTC()},
		},
		Bars:       []stock.Bar{{Symbol: "T", Start: time.Unix(0, 0).UTC(), Open: p("6"), High: p("6"), Low: p("6"), Close: p("6"), Count: 1}},
		Open:       open(0, "6"),
		LatestOpen: p("6"),
	},
	{
		Name: "past the last minute a bar can hold counts in no bar",
		Events: []stock.StockPriceEvent{
			{Symbol: "T", Price: p("5"), Timestamp: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)},
		},
		Open:       open(stock.UnixDay(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), "5"),
		LatestOpen: p("5"),
	},
	{
		Name:       "the extreme prices",
		Events:     evs(at(10*h, "1000000000"), at(10*h+sec, "0.000001"), at(10*h+2*sec, "999999999.999999")),
		Bars:       bars(bar(10*h, "1000000000", "1000000000", "0.000001", "999999999.999999", 3)),
		Open:       open(day0, "1000000000"),
		LatestOpen: p("1000000000"),
	},
}

func p(s string) stock.Price {
	if s == "" {
		return stock.Price{}
	}
	return stock.MustParsePrice(s)
}

func open(day int64, price string) stock.SessionOpen {
	return stock.SessionOpen{Day: day, Price: p(price)}
}

// at returns an event of symbol T at Day0 plus d.
func at(d time.Duration, price string) stock.StockPriceEvent {
	return stock.StockPriceEvent{Symbol: "T", Price: p(price), Timestamp: Day0.Add(d)}
}

func evs(e ...stock.StockPriceEvent) []stock.StockPriceEvent { return e }

// bar returns the bar of symbol T of the minute at Day0 plus d.
func bar(d time.Duration, o, hi, lo, c string, n int) stock.Bar {
	return stock.Bar{Symbol: "T", Start: Day0.Add(d), Open: p(o), High: p(hi), Low: p(lo), Close: p(c), Count: n}
}

func bars(b ...stock.Bar) []stock.Bar { return b }

// everyMinute returns n events at price, one in each minute from Day0 plus
// from on.
func everyMinute(from time.Duration, n int, price string) []stock.StockPriceEvent {
	out := make([]stock.StockPriceEvent, n)
	for i := range out {
		out[i] = at(from+time.Duration(i)*mn+sec, price)
	}
	return out
}

// minuteBars returns the bars everyMinute's events leave.
func minuteBars(from time.Duration, n int, price string) []stock.Bar {
	out := make([]stock.Bar, n)
	for i := range out {
		out[i] = bar(from+time.Duration(i)*mn, price, price, price, price, 1)
	}
	return out
}
