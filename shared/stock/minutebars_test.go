package stock_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
	"github.com/stockstream/stockstream/shared/stock/stocktest"
)

// Apply folds a case's events, one by one, through the Go rule.
func apply(events []stock.StockPriceEvent) (*stock.MinuteBars, stock.SessionOpen) {
	var bars stock.MinuteBars
	var open stock.SessionOpen
	for _, ev := range events {
		bars.Count(ev.Timestamp, ev.Price)
		open = open.Next(ev)
	}
	return &bars, open
}

func TestRuleCases(t *testing.T) {
	for _, c := range stocktest.Cases {
		t.Run(c.Name, func(t *testing.T) {
			bars, open := apply(c.Events)
			if got := bars.Bars("T"); fmt.Sprint(got) != fmt.Sprint(c.Bars) {
				t.Errorf("bars\n got %v\nwant %v", got, c.Bars)
			}
			if open != c.Open {
				t.Errorf("open %+v, want %+v", open, c.Open)
			}
			if got := open.Latest(c.Events[len(c.Events)-1]).Open; got != c.LatestOpen {
				t.Errorf("the latest event carries open %v, want %v", got, c.LatestOpen)
			}
		})
	}
}

// TestMinuteBarsIsTheDayRing checks MinuteBars, on random events, against
// the rule's first statement: a ring of one slot per minute of the day,
// each holding the newest minute written to it, read over the 24 hours up
// to the newest slot. It is how the Redis broker stores bars.
func TestMinuteBarsIsTheDayRing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 300 {
		var ring [stock.BarWindow]stock.MinuteBar
		var bars stock.MinuteBars
		spread := []int{5, 90, 1500, 5000}[round%4]
		for range 1 + rng.IntN(400) {
			at := stocktest.Day0.Add(time.Duration(rng.IntN(spread*60)) * time.Second)
			b, _ := stock.MinuteBarOf(at, stock.PriceFromMicros(1+rng.Int64N(1e6)))
			if s := &ring[b.Minute%stock.BarWindow]; s.Count == 0 || b.Minute > s.Minute {
				*s = b
			} else if b.Minute == s.Minute {
				s.Merge(b)
			}
			bars.Add(b)
		}
		if got, want := bars.Bars("T"), ringBars(ring[:]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("round %d:\n got %v\nwant %v", round, got, want)
		}
	}
}

// ringBars reads a day ring over the 24 hours up to its newest slot.
func ringBars(ring []stock.MinuteBar) []stock.Bar {
	newest := int32(-1)
	for _, s := range ring {
		if s.Count > 0 {
			newest = max(newest, s.Minute)
		}
	}
	var out []stock.Bar
	for _, s := range ring {
		if s.Count > 0 && s.Minute > newest-stock.BarWindow {
			out = append(out, s.Bar("T"))
		}
	}
	slices.SortFunc(out, func(a, b stock.Bar) int { return a.Start.Compare(b.Start) })
	return out
}

func TestMinuteBarsGrowWithData(t *testing.T) {
	var bars stock.MinuteBars
	if bars.Len() != 0 || bars.Bars("T") != nil {
		t.Fatal("zero MinuteBars is not empty")
	}
	for i := range 3 * stock.BarWindow {
		bars.Count(stocktest.Day0.Add(time.Duration(i)*time.Minute), stock.MustParsePrice("1"))
		if want := min(i+1, stock.BarWindow); bars.Len() != want {
			t.Fatalf("after %d minutes: %d bars, want %d", i+1, bars.Len(), want)
		}
	}
	c := bars.Clone()
	bars.Count(stocktest.Day0.Add(3*24*time.Hour), stock.MustParsePrice("2"))
	if c.Len() != stock.BarWindow || fmt.Sprint(c.Bars("T")) == fmt.Sprint(bars.Bars("T")) {
		t.Fatal("a clone changed with its original")
	}
	for _, refused := range []stock.MinuteBar{{Minute: 5, Count: 0}, {Minute: 5, Count: -1}, {Minute: -1, Count: 1}} {
		if bars.Add(refused) {
			t.Errorf("Add(%+v) counted a bar without events or before 1970", refused)
		}
	}
}

func TestMinuteOf(t *testing.T) {
	for _, ts := range []time.Time{time.Unix(-60, 0), time.Unix(-1, 0), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if _, ok := stock.MinuteOf(ts); ok {
			t.Errorf("MinuteOf accepted %v", ts)
		}
	}
	if m, ok := stock.MinuteOf(time.Unix(119, 999)); !ok || m != 1 {
		t.Errorf("MinuteOf(1970-01-01T00:01:59Z) = %d, %v", m, ok)
	}
}

func TestUnixDayIsSessionDay(t *testing.T) {
	day := stocktest.Day0
	for _, ts := range []time.Time{
		day, day.Add(-time.Nanosecond), day.Add(24*time.Hour - time.Nanosecond), time.Unix(0, 0), time.Unix(-1, 0), time.Unix(-86400, 0),
		time.Date(2026, 3, 2, 23, 30, 0, 0, time.FixedZone("east", 3*3600)),
	} {
		if got, want := stock.UnixDay(ts), stock.SessionDay(ts).Unix()/86400; got != want {
			t.Errorf("UnixDay(%v) = %d, want %d", ts, got, want)
		}
	}
}

func TestSessionOpenMerge(t *testing.T) {
	_, open := apply(stocktest.Cases[len(stocktest.Cases)-1].Events)
	if got := (stock.SessionOpen{}).Merge(open); got != open {
		t.Fatalf("zero open merged with %v = %v", open, got)
	}
	if got := open.Merge(stock.SessionOpen{}); got != open {
		t.Fatalf("%v merged with the zero open = %v", open, got)
	}
	if l := (stock.SessionOpen{}).Latest(stock.StockPriceEvent{Symbol: "T", Price: stock.MustParsePrice("1"), Timestamp: time.Unix(0, 0)}); !l.Open.IsZero() {
		t.Fatalf("the zero open gave an event of day 0 open %v", l.Open)
	}
}

func BenchmarkMinuteBarsCount(b *testing.B) {
	var bars stock.MinuteBars
	p := stock.MustParsePrice("100.25")
	for i := range b.N {
		bars.Count(stocktest.Day0.Add(time.Duration(i)*time.Second), p)
	}
}
