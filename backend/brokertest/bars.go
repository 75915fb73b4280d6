package brokertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// BarsSymbol is the symbol PublishBars publishes.
const BarsSymbol = "BARS"

// at returns a quote of BarsSymbol (or sym) at a time of 1 or 2 March 2026.
func at(sym string, day, h, m, s, ms int, price string) stock.Quote {
	return stock.Quote{
		Symbol:    sym,
		Price:     stock.MustParsePrice(price),
		Timestamp: time.Date(2026, 3, day, h, m, s, ms*1e6, time.UTC),
	}
}

// bar returns the expected bar of BarsSymbol starting at a minute of 1 or 2
// March 2026.
func bar(day, h, m int, open, high, low, closing string, count int) stock.Bar {
	return stock.Bar{
		Symbol: BarsSymbol,
		Start:  time.Date(2026, 3, day, h, m, 0, 0, time.UTC),
		Open:   stock.MustParsePrice(open), High: stock.MustParsePrice(high),
		Low: stock.MustParsePrice(low), Close: stock.MustParsePrice(closing),
		Count: count,
	}
}

// PublishBars publishes numbered prices of BarsSymbol at known timestamps
// around midnight UTC, in batches and one by one, among events of another
// symbol, and returns the one-minute bars the broker must then hold. It
// covers minute and day boundaries, a skipped minute, a late event of an
// earlier minute (its own bar) and a stale one 24 hours older than the
// minute its slot holds (not counted).
func PublishBars(t testing.TB, b backend.Broker) []stock.Bar {
	t.Helper()
	MustPublish(t, b, []stock.Quote{
		at(BarsSymbol, 1, 23, 58, 30, 0, "10.01"),
		at(BarsSymbol, 1, 23, 58, 59, 999, "10.05"),
		at("OTHER", 1, 23, 58, 40, 0, "50"),
		at(BarsSymbol, 1, 23, 59, 0, 0, "10.03"),
		at(BarsSymbol, 1, 23, 59, 10, 0, "10.00"),
	})
	MustPublish(t, b, []stock.Quote{at(BarsSymbol, 1, 23, 59, 59, 0, "10.02")})
	MustPublish(t, b, []stock.Quote{
		at(BarsSymbol, 2, 0, 0, 0, 0, "10.10"),
		at(BarsSymbol, 2, 0, 0, 30, 0, "10.20"),
		at("OTHER", 2, 0, 0, 15, 0, "51"),
		at(BarsSymbol, 2, 0, 0, 59, 0, "10.15"),
		at(BarsSymbol, 2, 0, 2, 0, 0, "10.30"),
	})
	MustPublish(t, b, []stock.Quote{at(BarsSymbol, 1, 12, 0, 0, 0, "9.90")}) // late: a bar of its own
	MustPublish(t, b, []stock.Quote{at(BarsSymbol, 1, 0, 0, 30, 0, "9.80")}) // stale: its slot holds 2 March 00:00
	MustPublish(t, b, []stock.Quote{at(BarsSymbol, 2, 0, 2, 30, 0, "10.25")})
	return []stock.Bar{
		bar(1, 12, 0, "9.90", "9.90", "9.90", "9.90", 1),
		bar(1, 23, 58, "10.01", "10.05", "10.01", "10.05", 2),
		bar(1, 23, 59, "10.03", "10.03", "10.00", "10.02", 3),
		bar(2, 0, 0, "10.10", "10.20", "10.10", "10.15", 3),
		bar(2, 0, 2, "10.30", "10.30", "10.25", "10.25", 2),
	}
}

// CheckBars fails the test unless b holds exactly want for BarsSymbol.
func CheckBars(t testing.TB, b backend.Broker, want []stock.Bar) {
	t.Helper()
	got, err := b.Bars(Ctx(t), BarsSymbol)
	if err != nil {
		t.Fatalf("bars: %v", err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("bars of %s:\n got %v\nwant %v", BarsSymbol, got, want)
	}
}

func testBars(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	if got, err := b.Bars(Ctx(t), BarsSymbol); err != nil || len(got) != 0 {
		t.Fatalf("bars before any event: %v %v, want none", got, err)
	}
	want := PublishBars(t, b)
	CheckBars(t, b, want)
	other, err := b.Bars(Ctx(t), "OTHER")
	if err != nil || len(other) != 2 || other[0].Count != 1 || other[1].Close.String() != "51" {
		t.Fatalf("bars of OTHER: %v %v, want two bars of one event", other, err)
	}
}

func testSessionOpen(t *testing.T, nb Factory) {
	b := open(t, nb, Config{History: 100})
	ctx := Ctx(t)
	check := func(when, wantOpen string) {
		t.Helper()
		l, ok, err := b.Latest(ctx, "OPEN")
		if err != nil || !ok || l.Open.String() != wantOpen {
			t.Fatalf("%s: latest %+v %v %v, want open %s", when, l, ok, err, wantOpen)
		}
		snap, err := b.Snapshot(ctx)
		if err != nil || len(snap) != 1 || snap[0] != l {
			t.Fatalf("%s: snapshot %+v %v, want [%+v]", when, snap, err, l)
		}
		o, _ := MustSubscribe(t, b, backend.SubscribeRequest{})
		if len(o.Snapshot) != 1 || o.Snapshot[0] != l {
			t.Fatalf("%s: opening snapshot %+v, want [%+v]", when, o.Snapshot, l)
		}
	}
	MustPublish(t, b, []stock.Quote{at("OPEN", 1, 9, 0, 0, 0, "20"), at("OPEN", 1, 9, 1, 0, 0, "21")})
	MustPublish(t, b, []stock.Quote{at("OPEN", 1, 15, 0, 0, 0, "22")})
	check("same day", "20")
	MustPublish(t, b, []stock.Quote{at("OPEN", 1, 23, 59, 0, 0, "23"), at("OPEN", 2, 0, 0, 1, 0, "24"), at("OPEN", 2, 0, 1, 0, 0, "25")})
	check("next day, in the batch", "24")
	MustPublish(t, b, []stock.Quote{at("OPEN", 1, 16, 0, 0, 0, "19")})
	// The latest event is of 1 March, whose first price is no longer held.
	check("a late event of the day before", "0")
	MustPublish(t, b, []stock.Quote{at("OPEN", 2, 8, 0, 0, 0, "26")})
	check("back on the open's day", "24")
}
