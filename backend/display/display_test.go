package display_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/display"
	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/stock"
)

var day = time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC)

func event(id, symbol, price string, ts time.Time) stock.StockPriceEvent {
	return stock.StockPriceEvent{ID: id, Symbol: symbol, Price: stock.MustParsePrice(price), Timestamp: ts}
}

func update(id, symbol, price string, ts time.Time) client.Message {
	return client.Message{Kind: client.Update, Event: event(id, symbol, price, ts)}
}

func snapshot(latest ...stock.Latest) client.Message {
	return client.Message{Kind: client.Snapshot, Snapshot: latest}
}

// TestLines: one line per price, its change from the session open that
// the snapshot carries, or else from the day's first price seen; a new
// UTC day starts a new session.
func TestLines(t *testing.T) {
	t.Setenv("TZ", "UTC")
	var out, errOut bytes.Buffer
	d := display.NewLines(&out, &errOut)
	msgs := []client.Message{
		snapshot(stock.Latest{StockPriceEvent: event("1", "AAPL", "101.5", day), Open: stock.MustParsePrice("100")}),
		update("2", "AAPL", "99.25", day.Add(time.Minute)),
		update("3", "MSFT", "400", day.Add(time.Minute)),
		update("4", "MSFT", "404", day.Add(2*time.Minute)),
		update("5", "AAPL", "110", day.Add(24*time.Hour)),
	}
	for _, m := range msgs {
		if err := d.Show(m); err != nil {
			t.Fatal(err)
		}
	}
	d.Note("reconnecting")
	d.Close()
	want := "2024-01-02 14:30:00 AAPL 101.5 +1.50 +1.50%\n" +
		"2024-01-02 14:31:00 AAPL 99.25 -0.75 -0.75%\n" +
		"2024-01-02 14:31:00 MSFT 400 +0.00 +0.00%\n" +
		"2024-01-02 14:32:00 MSFT 404 +4.00 +1.00%\n" +
		"2024-01-03 14:30:00 AAPL 110 +0.00 +0.00%\n"
	if out.String() != want || errOut.String() != "stockstream watch: reconnecting\n" {
		t.Fatalf("output\n%s\nwant\n%s\nstderr %q", out.String(), want, errOut.String())
	}
}

// TestJSON: a snapshot is printed as its events, each with its own id, so
// the output is only ever events.
func TestJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	d := display.NewJSON(&out, &errOut)
	d.Show(snapshot(
		stock.Latest{StockPriceEvent: event("7", "AAPL", "118.88", day), Open: stock.MustParsePrice("100")},
		stock.Latest{StockPriceEvent: event("9", "MSFT", "420.27", day)},
	))
	d.Show(update("10", "AAPL", "119", day.Add(time.Second)))
	d.Close()
	want := `{"id":"7","symbol":"AAPL","price":118.88,"timestamp":"2024-01-02T14:30:00Z"}` + "\n" +
		`{"id":"9","symbol":"MSFT","price":420.27,"timestamp":"2024-01-02T14:30:00Z"}` + "\n" +
		`{"id":"10","symbol":"AAPL","price":119,"timestamp":"2024-01-02T14:30:01Z"}` + "\n"
	if out.String() != want {
		t.Fatalf("output\n%s\nwant\n%s", out.String(), want)
	}
}

// TestTable: the table hides the cursor, draws the rows coloured by their
// change and shows the cursor again at the end.
func TestTable(t *testing.T) {
	var out, errOut syncBuffer
	tb := display.NewTable(&out, &errOut, "http://h", true)
	tb.Show(snapshot(
		stock.Latest{StockPriceEvent: event("1", "AAPL", "101", day), Open: stock.MustParsePrice("100")},
		stock.Latest{StockPriceEvent: event("2", "MSFT", "390", day), Open: stock.MustParsePrice("400")},
	))
	tb.Note("connection lost (EOF); reconnecting")
	tb.Close()
	s := out.String()
	for _, want := range []string{"\x1b[?25l", "stockstream http://h · reconnecting · 2 symbols", "\x1b[1mSYMBOL", "\x1b[32mAAPL      101   +1.00%   +1.00", "\x1b[31mMSFT      390   -2.50%  -10.00", "\x1b[?25h"} {
		if !strings.Contains(s, want) {
			t.Errorf("table lacks %q:\n%q", want, s)
		}
	}
	if errOut.String() != "stockstream watch: connection lost (EOF); reconnecting\n" {
		t.Errorf("stderr %q", errOut.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the table's drawing goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
