package chart_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/frontend/chart"
	"github.com/stockstream/stockstream/shared/stock"
)

var box = chart.Box{Width: 600, Height: 300, Left: 10, Right: 60, Top: 10, Bottom: 30}

func bar(start time.Time, o, h, l, c string) stock.Bar {
	p := stock.MustParsePrice
	return stock.Bar{Symbol: "AAPL", Start: start, Open: p(o), High: p(h), Low: p(l), Close: p(c), Count: 1}
}

func TestBuildPlacesCandlesInTheWindow(t *testing.T) {
	end := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	bars := []stock.Bar{
		bar(end.Add(-2*time.Hour), "1", "1", "1", "1"), // before the window: not drawn
		bar(end.Add(-60*time.Minute), "100", "110", "90", "105"),
		bar(end.Add(-30*time.Minute), "105", "106", "100", "101"),
		bar(end.Add(-time.Minute), "101", "120", "101", "118.88"),
	}
	c := chart.Build(bars, time.Minute, end, time.Hour, box)
	if len(c.Candles) != 3 {
		t.Fatalf("%d candles, want the 3 in the last hour", len(c.Candles))
	}
	first, last := c.Candles[0], c.Candles[2]
	if first.X < box.Left || last.X+last.Width > box.Width-box.Right {
		t.Errorf("candles leave the plot: first x %.1f, last ends at %.1f", first.X, last.X+last.Width)
	}
	if !(first.X < c.Candles[1].X && c.Candles[1].X < last.X) {
		t.Error("candles are not in time order from left to right")
	}
	// y grows downwards: the high is above (smaller y) the low.
	for i, cd := range c.Candles {
		if !(cd.High <= cd.Open && cd.High <= cd.Close && cd.Low >= cd.Open && cd.Low >= cd.Close) {
			t.Errorf("candle %d: high %.1f open %.1f close %.1f low %.1f", i, cd.High, cd.Open, cd.Close, cd.Low)
		}
	}
	if !first.Up || c.Candles[1].Up {
		t.Error("up/down colouring is wrong")
	}
	if c.Last.Label != "118.88" || c.Last.Pos != last.Close {
		t.Errorf("last = %+v, want the exact last close at its candle's close", c.Last)
	}
	if n := strings.Count(c.Line, ","); n != 3 {
		t.Errorf("line %q has %d points, want 3", c.Line, n)
	}
}

func TestBuildTicksAreRoundAndInside(t *testing.T) {
	end := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	c := chart.Build([]stock.Bar{bar(end.Add(-45*time.Minute), "101.3", "104.9", "100.2", "103")}, time.Minute, end, time.Hour, box)
	if len(c.PriceTicks) < 3 || len(c.PriceTicks) > 7 {
		t.Fatalf("%d price ticks: %+v", len(c.PriceTicks), c.PriceTicks)
	}
	for _, tk := range c.PriceTicks {
		if tk.Pos < box.Top || tk.Pos > box.Height-box.Bottom {
			t.Errorf("price tick %+v outside the plot", tk)
		}
		if !strings.HasSuffix(tk.Label, "0") || !strings.Contains(tk.Label, ".") {
			t.Errorf("price tick %q is not a round price with two decimals", tk.Label)
		}
	}
	if len(c.TimeTicks) < 4 || len(c.TimeTicks) > 6 {
		t.Fatalf("%d time ticks over an hour: %+v", len(c.TimeTicks), c.TimeTicks)
	}
	for i := 1; i < len(c.TimeTicks); i++ {
		if c.TimeTicks[i].Pos <= c.TimeTicks[i-1].Pos {
			t.Errorf("time ticks not left to right: %+v", c.TimeTicks)
		}
	}
}

func TestBuildFlatAndEmpty(t *testing.T) {
	end := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	if c := chart.Build(nil, time.Minute, end, time.Hour, box); !c.Empty() {
		t.Error("no bars drew something")
	}
	c := chart.Build([]stock.Bar{bar(end.Add(-time.Minute), "5", "5", "5", "5")}, time.Minute, end, time.Hour, box)
	mid := box.Top + (box.Height-box.Top-box.Bottom)/2
	if got := c.Candles[0].Close; got < mid-1 || got > mid+1 {
		t.Errorf("a flat series sits at y %.1f, want the middle %.1f", got, mid)
	}
	if len(c.PriceTicks) == 0 {
		t.Error("a flat series has no price ticks")
	}
}
