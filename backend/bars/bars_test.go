package bars_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/bars"
	"github.com/stockstream/stockstream/shared/stock"
)

var day = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func ev(sym string, at time.Duration, price string) stock.StockPriceEvent {
	return stock.StockPriceEvent{Symbol: sym, Price: stock.MustParsePrice(price), Timestamp: day.Add(at)}
}

func TestRingBarsAcrossMinutes(t *testing.T) {
	var r bars.Ring
	for _, e := range []stock.StockPriceEvent{
		ev("AAPL", 30*time.Second, "10.01"),
		ev("AAPL", 59*time.Second, "10.05"),
		ev("AAPL", 60*time.Second, "10"),
		ev("AAPL", 119*time.Second, "10.02"),
		ev("AAPL", 24*time.Hour+60*time.Second-time.Nanosecond, "11"),                   // slot of minute 0, a day later
		ev("AAPL", 10*time.Second, "9"),                                                 // older than that slot holds
		{Symbol: "AAPL", Price: stock.MustParsePrice("8"), Timestamp: time.Unix(-1, 0)}, // not countable
	} {
		r.Count(e.Timestamp, e.Price)
	}
	got := fmt.Sprint(r.Bars("AAPL"))
	want := "[{AAPL 2026-03-02 00:01:00 +0000 UTC 10 10.02 10 10.02 2} {AAPL 2026-03-03 00:00:00 +0000 UTC 11 11 11 11 1}]"
	if got != want {
		t.Fatalf("bars\n got %s\nwant %s", got, want)
	}
	if got := new(bars.Ring).Bars("GOOG"); got != nil {
		t.Fatalf("bars of an empty ring: %v", got)
	}
}

func TestWindowIs24HoursUpToNewest(t *testing.T) {
	var r bars.Ring
	for _, at := range []time.Duration{0, time.Hour, 25 * time.Hour} {
		r.Count(day.Add(at), stock.MustParsePrice("1"))
	}
	got := bars.Window("AAPL", r[:])
	if len(got) != 1 || !got[0].Start.Equal(day.Add(25*time.Hour)) {
		t.Fatalf("window %v: want only the newest bar, the others are 24 h or more older", got)
	}
	r.Count(day.Add(time.Hour+time.Minute), stock.MustParsePrice("1"))
	if got := bars.Window("AAPL", r[:]); len(got) != 2 || !got[0].Start.Equal(day.Add(time.Hour+time.Minute)) {
		t.Fatalf("window %v: want 01:01 (23 h 59 min before the newest) and the newest", got)
	}
}

func TestOfRefusesMinutesOutOfRange(t *testing.T) {
	for _, ts := range []time.Time{time.Unix(-60, 0), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if _, ok := bars.Of(stock.StockPriceEvent{Symbol: "A", Price: stock.MustParsePrice("1"), Timestamp: ts}); ok {
			t.Errorf("Of accepted %v", ts)
		}
	}
	if s, ok := bars.Of(stock.StockPriceEvent{Symbol: "A", Price: stock.MustParsePrice("1"), Timestamp: time.Unix(59, 0)}); !ok || s.Minute != 0 || s.Count != 1 {
		t.Errorf("Of 1970-01-01T00:00:59Z = %+v %v", s, ok)
	}
}

// TestFoldEqualsOneByOne checks, on random batches, that merging the
// partial bars of a batch gives the same rings as adding its events one by
// one: the Redis script merges partials, the in-memory broker events.
func TestFoldEqualsOneByOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var batch []stock.StockPriceEvent
		for range 1 + rng.IntN(50) {
			at := time.Duration(rng.IntN(3*24*60)) * time.Minute / time.Duration(1+rng.IntN(200))
			batch = append(batch, ev([]string{"A", "B"}[rng.IntN(2)], at, fmt.Sprint(1+rng.IntN(5))))
		}
		one, folded := map[string]*bars.Ring{"A": new(bars.Ring), "B": new(bars.Ring)}, map[string]*bars.Ring{"A": new(bars.Ring), "B": new(bars.Ring)}
		for _, e := range batch {
			one[e.Symbol].Count(e.Timestamp, e.Price)
		}
		for _, p := range bars.Fold(batch) {
			folded[p.Symbol][p.Index()].Merge(p.Slot)
		}
		for _, sym := range []string{"A", "B"} {
			if got, want := fmt.Sprint(folded[sym].Bars(sym)), fmt.Sprint(one[sym].Bars(sym)); got != want {
				t.Fatalf("round %d, %s: folded\n%s\none by one\n%s", round, sym, got, want)
			}
		}
	}
}

func TestOpen(t *testing.T) {
	var o bars.Open
	for _, step := range []struct {
		ev         stock.StockPriceEvent
		open, same string // the open after ev, and what ev's Latest carries
	}{
		{ev("A", 9*time.Hour, "20"), "20", "20"},
		{ev("A", 15*time.Hour, "21"), "20", "20"},
		{ev("A", 24*time.Hour+time.Second, "22"), "22", "22"},
		{ev("A", 23*time.Hour, "19"), "22", "0"}, // a late event of the day before
		{ev("A", 25*time.Hour, "23"), "22", "22"},
	} {
		o = o.Next(step.ev)
		if o.Price.String() != step.open || o.Latest(step.ev).Open.String() != step.same {
			t.Fatalf("after %v: open %v, latest carries %v; want %s and %s", step.ev, o, o.Latest(step.ev).Open, step.open, step.same)
		}
	}
	if got := (bars.Open{}).Merge(o); got != o {
		t.Fatalf("zero open merged with %v = %v", o, got)
	}
}

func TestDayIsSessionDay(t *testing.T) {
	for _, ts := range []time.Time{
		day, day.Add(-time.Nanosecond), day.Add(24*time.Hour - time.Nanosecond), time.Unix(0, 0), time.Unix(-1, 0), time.Unix(-86400, 0),
		time.Date(2026, 3, 2, 23, 30, 0, 0, time.FixedZone("east", 3*3600)),
	} {
		if got, want := bars.Day(ts), stock.SessionDay(ts).Unix()/86400; got != want {
			t.Errorf("Day(%v) = %d, want %d", ts, got, want)
		}
	}
}
