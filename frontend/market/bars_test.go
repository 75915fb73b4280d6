package market_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
	"github.com/stockstream/stockstream/shared/stock/stocktest"
)

var t0 = time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)

func at(d time.Duration, price string) stock.StockPriceEvent {
	return stock.StockPriceEvent{ID: "1", Symbol: "AAPL", Price: stock.MustParsePrice(price), Timestamp: t0.Add(d)}
}

func TestFoldBuildsMinuteBars(t *testing.T) {
	var bars []stock.Bar
	for _, e := range []stock.StockPriceEvent{
		at(0, "10"), at(20*time.Second, "12.5"), at(59*time.Second, "9.75"), // one minute
		at(61*time.Second, "11"), // the next
	} {
		before := bars
		bars = market.Fold(bars, e)
		if len(before) > 0 && &before[0] == &bars[0] {
			t.Fatal("Fold wrote the bars it was given: components holding them would not see a change")
		}
	}
	if len(bars) != 2 {
		t.Fatalf("%d bars, want 2: %+v", len(bars), bars)
	}
	b := bars[0]
	if b.Open.String() != "10" || b.High.String() != "12.5" || b.Low.String() != "9.75" || b.Close.String() != "9.75" || b.Count != 3 || !b.Start.Equal(t0) {
		t.Errorf("first bar %+v", b)
	}
	if n := market.Fold(bars, at(-time.Minute, "1")); len(n) != 3 || !n[0].Start.Equal(t0.Add(-time.Minute)) || n[1] != bars[0] {
		t.Errorf("a late event did not count in a bar of its own minute: %+v", n)
	}
	if n := market.Fold(bars, at(30*time.Second, "9")); len(n) != 2 || n[0].Close.String() != "9" || n[0].Low.String() != "9" || n[0].Count != 4 {
		t.Errorf("a late event did not count in its minute's bar as its close: %+v", n)
	}
	if n := market.Fold(bars, stock.StockPriceEvent{Symbol: "AAPL", Price: stock.MustParsePrice("1"), Timestamp: time.Unix(-1, 0)}); len(n) != 2 || &n[0] != &bars[0] {
		t.Errorf("an event no bar can hold changed the bars: %+v", n)
	}
}

// TestFoldFollowsTheRule folds the events of every case of the server's
// bar rule and checks that the chart holds the last hour of the bars the
// server holds.
func TestFoldFollowsTheRule(t *testing.T) {
	for _, c := range stocktest.Cases {
		var bars []stock.Bar
		for _, e := range c.Events {
			bars = market.Fold(bars, e)
		}
		if want := market.Recent(c.Bars); fmt.Sprint(bars) != fmt.Sprint(want) {
			t.Errorf("%s: chart bars\n got %v\nwant %v", c.Name, bars, want)
		}
	}
}

func TestFoldKeepsTheLastHour(t *testing.T) {
	var bars []stock.Bar
	for m := range 90 {
		bars = market.Fold(bars, at(time.Duration(m)*time.Minute, "10"))
	}
	if len(bars) != 60 || !bars[0].Start.Equal(t0.Add(30*time.Minute)) {
		t.Fatalf("%d bars from %v, want the 60 of the last hour", len(bars), bars[0].Start)
	}
}

func TestDayOfAndMove(t *testing.T) {
	bars := []stock.Bar{
		{Start: t0.Add(-24 * time.Hour), High: stock.MustParsePrice("500"), Low: stock.MustParsePrice("1")}, // yesterday
		{Start: t0, High: stock.MustParsePrice("12"), Low: stock.MustParsePrice("8")},
	}
	latest := stock.Latest{StockPriceEvent: at(time.Minute, "10"), Open: stock.MustParsePrice("9")}
	d := market.DayOf(latest, bars)
	if d.Open.String() != "9" || d.High.String() != "12" || d.Low.String() != "8" {
		t.Fatalf("day %+v: yesterday's bar counted, or the session open was not kept", d)
	}
	d = d.Move(at(2*time.Minute, "13.5"))
	if d.High.String() != "13.5" || d.Low.String() != "8" {
		t.Errorf("after a new high: %+v", d)
	}
	d = d.Move(at(24*time.Hour, "20"))
	if d.Open.String() != "20" || d.High.String() != "20" || d.Low.String() != "20" {
		t.Errorf("a new UTC day did not start a new session: %+v", d)
	}
}

func TestBackfillFillsAFlatSparkline(t *testing.T) {
	var b market.Board
	b.Apply(at(0, "10"))
	q, _ := b.Quote("AAPL")
	b.Backfill("AAPL", []float64{7, 8, 9})
	q2, _ := b.Quote("AAPL")
	if len(q2.History) != 4 || q2.History[0] != 7 || q2.History[3] != 10 {
		t.Fatalf("history %v, want the closes then the live price", q2.History)
	}
	if len(q.History) != 1 {
		t.Fatal("Backfill changed a history already handed out")
	}
	long := make([]float64, 2*market.HistoryLen)
	b.Backfill("AAPL", long)
	if q3, _ := b.Quote("AAPL"); len(q3.History) != market.HistoryLen || q3.History[len(q3.History)-1] != 10 {
		t.Errorf("history of %d ending %v, want %d ending with the live price", len(q3.History), q3.History[len(q3.History)-1], market.HistoryLen)
	}
	b.Backfill("MSFT", []float64{1}) // not on the board: nothing happens
	if b.Len() != 1 {
		t.Error("Backfill added a symbol")
	}
}

func TestDayMerge(t *testing.T) {
	p := stock.MustParsePrice
	today := market.Day{Open: p("10"), High: p("12"), Low: p("9"), Start: t0.Truncate(24 * time.Hour)}
	other := market.Day{Open: p("11"), High: p("15"), Low: p("9.5"), Start: today.Start}
	if m := today.Merge(other); m.Open != p("10") || m.High != p("15") || m.Low != p("9") {
		t.Errorf("same day: %+v, want the receiver's open, the higher high and the lower low", m)
	}
	tomorrow := market.Day{Open: p("20"), High: p("20"), Low: p("20"), Start: today.Start.Add(24 * time.Hour)}
	if m := today.Merge(tomorrow); m != tomorrow {
		t.Errorf("a later day: %+v", m)
	}
	if m := tomorrow.Merge(today); m != tomorrow {
		t.Errorf("an earlier day: %+v", m)
	}
	if m := (market.Day{}).Merge(today); m != today {
		t.Errorf("from nothing: %+v", m)
	}
}
