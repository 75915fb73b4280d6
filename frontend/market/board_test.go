package market_test

import (
	"testing"
	"time"

	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

func ev(id, sym, price string) stock.StockPriceEvent {
	return stock.StockPriceEvent{ID: id, Symbol: sym, Price: stock.MustParsePrice(price), Timestamp: time.Unix(1700000000, 0)}
}

func TestBoardChangeSinceSessionStart(t *testing.T) {
	var b market.Board
	b.Snapshot([]stock.StockPriceEvent{ev("10", "AAPL", "100"), ev("9", "MSFT", "50")})
	b.Apply(ev("11", "AAPL", "101.5"), ev("12", "AAPL", "99.25"))
	q, _ := b.Quote("AAPL")
	if q.Price.String() != "99.25" || q.Open.String() != "100" {
		t.Fatalf("price %s open %s", q.Price, q.Open)
	}
	if got := market.FormatChange(q.Change()); got != "-0.75" {
		t.Errorf("change = %s, want -0.75", got)
	}
	if got := market.FormatPercent(q.ChangePercent()); got != "-0.75%" {
		t.Errorf("change %% = %s, want -0.75%%", got)
	}
	if q.Move != market.Down || q.Changes != 2 {
		t.Errorf("move %v changes %d", q.Move, q.Changes)
	}
}

func TestBoardIgnoresReplayedEvents(t *testing.T) {
	var b market.Board
	b.Apply(ev("99", "AAPL", "1"), ev("100", "AAPL", "2"))
	b.Apply(ev("99", "AAPL", "1")) // seen before
	if q, _ := b.Quote("AAPL"); q.Price.String() != "2" {
		t.Errorf("replayed event moved the price to %s", q.Price)
	}
	if n := len(b.Feed()); n != 2 {
		t.Errorf("feed has %d items, want 2", n)
	}
	if b.Feed()[0].ID != "100" {
		t.Errorf("feed is not newest first: %v", b.Feed())
	}
}

func TestBoardSnapshotReplacesState(t *testing.T) {
	var b market.Board
	b.Apply(ev("1", "AAPL", "10"), ev("2", "GOOG", "20"))
	b.Snapshot([]stock.StockPriceEvent{ev("5", "AAPL", "12")})
	if _, ok := b.Quote("GOOG"); ok {
		t.Error("GOOG survived a snapshot without it")
	}
	q, _ := b.Quote("AAPL")
	if q.Open.String() != "10" || q.Price.String() != "12" {
		t.Errorf("open %s price %s; the session's first price must survive a snapshot", q.Open, q.Price)
	}
}

func TestBoardFeedIsCapped(t *testing.T) {
	var b market.Board
	for i := range market.FeedLen * 3 {
		b.Apply(ev(itoa(1000+i), "AAPL", itoa(1+i)))
	}
	if len(b.Feed()) != market.FeedLen {
		t.Fatalf("feed len %d", len(b.Feed()))
	}
	q, _ := b.Quote("AAPL")
	if len(q.History) != market.HistoryLen || q.History[len(q.History)-1] != float64(market.FeedLen*3) {
		t.Errorf("history %v", q.History)
	}
}

func TestBoardRestoreIsStale(t *testing.T) {
	var b market.Board
	b.Apply(ev("1", "AAPL", "10.5"))
	saved := b.Save()
	var restored market.Board
	restored.Restore(saved)
	if !restored.Stale || restored.Len() != 1 {
		t.Fatalf("restored board: stale %v len %d", restored.Stale, restored.Len())
	}
	restored.Apply(ev("2", "AAPL", "11"))
	if restored.Stale {
		t.Error("a live event did not clear stale")
	}
}

func TestIDOrderIsNumeric(t *testing.T) {
	var b market.Board
	b.Apply(ev("9", "AAPL", "1"), ev("10", "AAPL", "2"))
	if q, _ := b.Quote("AAPL"); q.Price.String() != "2" {
		t.Errorf("id 10 was taken as older than 9")
	}
}

func itoa(i int) string {
	return stock.PriceFromCents(int64(i) * 100).String()
}
