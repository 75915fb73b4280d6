package market_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
	"github.com/stockstream/stockstream/shared/stock/stocktest"
)

func ev(id, sym, price string) stock.StockPriceEvent {
	return stock.StockPriceEvent{ID: id, Symbol: sym, Price: stock.MustParsePrice(price), Timestamp: time.Unix(1700000000, 0)}
}

// latest wraps events as snapshot entries without an open.
func latest(evs ...stock.StockPriceEvent) []stock.Latest {
	out := make([]stock.Latest, len(evs))
	for i, e := range evs {
		out[i] = stock.Latest{StockPriceEvent: e}
	}
	return out
}

func TestBoardChangeSinceSessionStart(t *testing.T) {
	var b market.Board
	b.Snapshot(latest(ev("10", "AAPL", "100"), ev("9", "MSFT", "50")))
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
	b.Snapshot(latest(ev("5", "AAPL", "12")))
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

func TestBoardRestoreKeepsRowsAndFeed(t *testing.T) {
	var b market.Board
	b.Apply(ev("1", "AAPL", "10.5"))
	saved := b.Save()
	var restored market.Board
	restored.Restore(saved, b.Feed())
	if restored.Len() != 1 || len(restored.Feed()) != 1 {
		t.Fatalf("restored board: len %d feed %v", restored.Len(), restored.Feed())
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

// TestHandedOutStateIsNeverModified: what Quotes and Feed returned stays as
// it was after more updates, so a component holding it sees the change. A
// feed and histories shifted in place froze the page once they were full.
func TestHandedOutStateIsNeverModified(t *testing.T) {
	var b market.Board
	for i := range market.HistoryLen + market.FeedLen {
		b.Apply(ev(itoa(1000+i), "AAPL", itoa(1+i)), ev(itoa(5000+i), "MSFT", itoa(1+i)))
	}
	feed, quotes := b.Feed(), b.Quotes()
	feedCopy, histCopy := slices.Clone(feed), slices.Clone(quotes[0].History)
	b.Apply(ev("9000", "AAPL", "999"))
	if !slices.Equal(feed, feedCopy) || !slices.Equal(quotes[0].History, histCopy) {
		t.Fatal("an update changed state handed out before")
	}
	if b.Feed()[0].ID != "9000" || len(b.Feed()) != market.FeedLen {
		t.Errorf("feed after the update: newest %s, %d entries", b.Feed()[0].ID, len(b.Feed()))
	}
	q, _ := b.Quote("AAPL")
	if h := q.History; len(h) != market.HistoryLen || h[len(h)-1] != 999 || slices.Equal(h, histCopy) {
		t.Errorf("history after the update: %v", h)
	}
	// An unchanged symbol keeps handing out the same history.
	q1, _ := b.Quote("MSFT")
	q2, _ := b.Quote("MSFT")
	if &q1.History[0] != &q2.History[0] {
		t.Error("an unchanged history was copied again")
	}
}

func TestBatchFeedIsNewestFirstAndCapped(t *testing.T) {
	var b market.Board
	var batch []stock.StockPriceEvent
	for i := range 100 {
		batch = append(batch, ev(itoa(100+i), "AAPL", itoa(1+i)))
	}
	b.Apply(batch...)
	f := b.Feed()
	if len(f) != market.FeedLen || f[0].ID != itoa(199) || f[market.FeedLen-1].ID != itoa(160) {
		t.Errorf("feed %s…%s (%d)", f[0].ID, f[len(f)-1].ID, len(f))
	}
}

func TestSessionOpen(t *testing.T) {
	day1 := time.Date(2025, 6, 16, 20, 0, 0, 0, time.UTC)
	at := func(id, price string, ts time.Time) stock.StockPriceEvent {
		e := ev(id, "AAPL", price)
		e.Timestamp = ts
		return e
	}
	var b market.Board
	// The server's open wins over the snapshot's price.
	b.Snapshot([]stock.Latest{{StockPriceEvent: at("10", "105", day1), Open: stock.MustParsePrice("100")}})
	if q, _ := b.Quote("AAPL"); q.Open.String() != "100" || market.FormatChange(q.Change()) != "+5.00" {
		t.Fatalf("open %s change %s", q.Open, market.FormatChange(q.Change()))
	}
	// A snapshot without an open keeps the open of the same session.
	b.Snapshot(latest(at("11", "106", day1.Add(time.Hour))))
	if q, _ := b.Quote("AAPL"); q.Open.String() != "100" {
		t.Errorf("open of the same session became %s", q.Open)
	}
	// An event of the next UTC day starts a new session.
	b.Apply(at("12", "90", day1.Add(5*time.Hour)))
	if q, _ := b.Quote("AAPL"); q.Open.String() != "90" || q.Change() != 0 || !q.OpenDay.Equal(stock.SessionDay(day1.Add(5*time.Hour))) {
		t.Errorf("next day: open %s change %d day %v", q.Open, q.Change(), q.OpenDay)
	}
	b.Apply(at("13", "99", day1.Add(6*time.Hour)))
	if q, _ := b.Quote("AAPL"); q.Open.String() != "90" {
		t.Errorf("a later event of the same day moved the open to %s", q.Open)
	}
	// Without any open, the first price of the snapshot is the open, and a
	// saved board restores its own.
	var c market.Board
	c.Snapshot(latest(at("20", "50", day1)))
	c.Apply(at("21", "55", day1))
	var r market.Board
	r.Restore(c.Save(), nil)
	if q, _ := r.Quote("AAPL"); q.Open.String() != "50" || market.FormatPercent(q.ChangePercent()) != "+10.00%" {
		t.Errorf("restored open %s, %s", q.Open, market.FormatPercent(q.ChangePercent()))
	}
}

func TestRetainDropsRowsAndTheirUpdates(t *testing.T) {
	var b market.Board
	b.Apply(ev("1", "AAPL", "1"), ev("2", "MSFT", "2"), ev("3", "GOOG", "3"))
	b.Retain([]string{"MSFT", "AAPL"})
	var syms []string
	for _, q := range b.Quotes() {
		syms = append(syms, q.Symbol)
	}
	if !slices.Equal(syms, []string{"AAPL", "MSFT"}) || len(b.Feed()) != 2 || b.Feed()[0].Symbol != "MSFT" {
		t.Errorf("rows %v feed %v", syms, b.Feed())
	}
}

func TestRestoreSkipsBadEntries(t *testing.T) {
	var b market.Board
	b.Restore([]market.Saved{
		{Symbol: "AAPL", Price: stock.MustParsePrice("1"), History: make([]float64, 500)},
		{Symbol: "bad symbol!", Price: stock.MustParsePrice("1")},
		{Symbol: "MSFT"},
		{Symbol: "AAPL", Price: stock.MustParsePrice("2")},
	}, []stock.StockPriceEvent{ev("1", "GOOG", "1"), ev("2", "AAPL", "1")})
	q, ok := b.Quote("AAPL")
	if b.Len() != 1 || !ok || q.Price.String() != "1" || len(q.History) != market.HistoryLen || len(b.Feed()) != 1 {
		t.Errorf("restored %d rows, AAPL %+v, feed %v", b.Len(), q, b.Feed())
	}
}

// TestBoardOpenFollowsTheRule applies the events of every case of the
// server's session-open rule, live, and checks the board's open against
// the session open the server holds.
func TestBoardOpenFollowsTheRule(t *testing.T) {
	for _, c := range stocktest.Cases {
		var b market.Board
		for i, e := range c.Events {
			e.ID = itoa(1000 + i)
			b.Apply(e)
		}
		q, _ := b.Quote("T")
		if q.Open != c.Open.Price || stock.UnixDay(q.OpenDay) != c.Open.Day {
			t.Errorf("%s: open %v of day %d, want %v of day %d", c.Name, q.Open, stock.UnixDay(q.OpenDay), c.Open.Price, c.Open.Day)
		}
	}
}
