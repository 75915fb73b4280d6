package stock_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

func TestAggregateBars(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, time.UTC) }
	bar := func(start time.Time, o, h, l, c string, n int) stock.Bar {
		return stock.Bar{Symbol: "AAPL", Start: start, Open: stock.MustParsePrice(o), High: stock.MustParsePrice(h),
			Low: stock.MustParsePrice(l), Close: stock.MustParsePrice(c), Count: n}
	}
	minutes := []stock.Bar{
		bar(at(9, 58), "10", "11", "9", "10.5", 3),
		bar(at(9, 59), "10.5", "12", "10", "11", 2),
		bar(at(10, 0), "11", "11", "8", "9", 4),
		bar(at(10, 4), "9", "9.5", "9", "9.5", 1),
		bar(at(10, 5), "9.5", "10", "9.5", "10", 1),
	}
	for _, tc := range []struct {
		interval time.Duration
		want     []stock.Bar
	}{
		{time.Minute, minutes},
		{5 * time.Minute, []stock.Bar{
			bar(at(9, 55), "10", "12", "9", "11", 5),
			bar(at(10, 0), "11", "11", "8", "9.5", 5),
			bar(at(10, 5), "9.5", "10", "9.5", "10", 1),
		}},
		{time.Hour, []stock.Bar{
			bar(at(9, 0), "10", "12", "9", "11", 5),
			bar(at(10, 0), "11", "11", "8", "10", 6),
		}},
	} {
		if got := stock.AggregateBars(minutes, tc.interval); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%v bars\n got %v\nwant %v", tc.interval, got, tc.want)
		}
	}
	if got := stock.AggregateBars(nil, time.Hour); len(got) != 0 {
		t.Errorf("no bars aggregate to %v", got)
	}
}
