package market_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

func TestFormatPrice(t *testing.T) {
	for in, want := range map[string]string{"118.88": "118.88", "100": "100.00", "0.5": "0.50", "0.000125": "0.000125"} {
		if got := market.FormatPrice(stock.MustParsePrice(in)); got != want {
			t.Errorf("FormatPrice(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestFormatChange(t *testing.T) {
	for micros, want := range map[int64]string{0: "0.00", 1_500_000: "+1.50", -250_000: "-0.25", 125: "+0.000125", -3_000_000: "-3.00"} {
		if got := market.FormatChange(micros); got != want {
			t.Errorf("FormatChange(%d) = %s, want %s", micros, got, want)
		}
	}
}

func TestChangePercent(t *testing.T) {
	p := stock.MustParsePrice
	cases := []struct {
		open, now string
		want      string
	}{
		{"100", "101.25", "+1.25%"},
		{"100", "99.6", "-0.40%"},
		{"100", "100", "0.00%"},
		{"100", "100.001", "0.00%"},
		{"0.5", "1", "+100.00%"},
	}
	for _, c := range cases {
		if got := market.FormatPercent(market.ChangePercent(p(c.open), p(c.now))); got != c.want {
			t.Errorf("%s→%s = %s, want %s", c.open, c.now, got, c.want)
		}
	}
	if got := market.ChangePercent(stock.Price{}, p("1")); got != 0 {
		t.Errorf("no open: %v", got)
	}
	if got := market.FormatPercent(math.NaN()); got != "—" {
		t.Errorf("NaN: %s", got)
	}
}

func TestSparklinePoints(t *testing.T) {
	if got := market.SparklinePoints([]float64{1, 3, 2}, 100, 20); got != "0.0,20.0 50.0,0.0 100.0,10.0" {
		t.Errorf("points %q", got)
	}
	if got := market.SparklinePoints([]float64{5, 5}, 100, 20); got != "0.0,10.0 100.0,10.0" {
		t.Errorf("flat points %q", got)
	}
	if got := market.SparklinePoints([]float64{5}, 100, 20); strings.Count(got, ",") != 2 {
		t.Errorf("single point %q should be a line", got)
	}
	if market.SparklinePoints(nil, 100, 20) != "" {
		t.Error("empty history drew something")
	}
}
