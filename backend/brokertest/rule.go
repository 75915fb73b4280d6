package brokertest

import (
	"fmt"
	"testing"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
	"github.com/stockstream/stockstream/shared/stock/stocktest"
)

// PublishCase publishes the events of a case of the bar and session-open
// rule as symbol: one by one if batch is false, else in one batch with an
// event of another symbol between any two of them.
func PublishCase(t testing.TB, b backend.Broker, symbol string, c stocktest.Case, batch bool) {
	t.Helper()
	var qs []stock.Quote
	for i, ev := range c.Events {
		q := stock.Quote{Symbol: symbol, Price: ev.Price, Timestamp: ev.Timestamp}
		if !batch {
			MustPublish(t, b, []stock.Quote{q})
			continue
		}
		if i > 0 {
			qs = append(qs, stock.Quote{Symbol: symbol + "X", Price: stock.MustParsePrice("1"), Timestamp: c.Events[i-1].Timestamp})
		}
		qs = append(qs, q)
	}
	if batch {
		MustPublish(t, b, qs)
	}
}

// CheckCase fails the test unless b holds what the case says for symbol:
// its bars, and the open its latest event carries.
func CheckCase(t testing.TB, b backend.Broker, symbol string, c stocktest.Case) {
	t.Helper()
	ctx := Ctx(t)
	got, err := b.Bars(ctx, symbol)
	if err != nil {
		t.Fatalf("bars of %s: %v", symbol, err)
	}
	want := make([]stock.Bar, len(c.Bars))
	for i, bar := range c.Bars {
		bar.Symbol = symbol
		want[i] = bar
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("bars of %s:\n got %v\nwant %v", symbol, got, want)
	}
	l, ok, err := b.Latest(ctx, symbol)
	last := c.Events[len(c.Events)-1]
	if err != nil || !ok || l.Price != last.Price || !l.Timestamp.Equal(last.Timestamp) || l.Open != c.LatestOpen {
		t.Errorf("latest of %s: %+v %v %v; want price %v at %v with open %v", symbol, l, ok, err, last.Price, last.Timestamp, c.LatestOpen)
	}
}

// testRuleCases holds the broker to every case of the rule, its events
// published one by one and in one batch.
func testRuleCases(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	for i, c := range stocktest.Cases {
		t.Run(c.Name, func(t *testing.T) {
			for j, batch := range []bool{false, true} {
				sym := fmt.Sprintf("R%d%c", i, "OB"[j]) // one by one, batched
				PublishCase(t, b, sym, c, batch)
				CheckCase(t, b, sym, c)
			}
		})
	}
}
