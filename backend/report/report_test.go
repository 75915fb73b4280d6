package report_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/backend/report"
	"github.com/stockstream/stockstream/shared/pricefile"
)

func load(t *testing.T, name, data string, opt pricefile.Options) *pricefile.File {
	t.Helper()
	f, err := pricefile.Load(context.Background(), strings.NewReader(data), name, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestPlainLines: off a terminal, a line when a file starts and ends
// loading, one every ten seconds while a long load or publish goes on,
// and notes; never an escape code.
func TestPlainLines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var lines []string
		var w bytes.Buffer
		m := report.New(&w, false, func(s string) { lines = append(lines, s) })
		f := load(t, "AAPL.csv", "Date,Close\n2024-01-02,1\n2024-01-03,null\n", pricefile.Options{})
		m.Start("AAPL.csv", 2_000_000)
		m.Read(500_000, 10_000) // too soon for a line
		time.Sleep(10 * time.Second)
		m.Read(1_000_000, 20_000)
		time.Sleep(2 * time.Second)
		m.Done(f, nil)
		m.Publishing(40_000)
		time.Sleep(10 * time.Second)
		m.Published(20_000, time.Date(2024, 1, 2, 21, 0, 0, 0, time.UTC))
		m.Note("server answered 503; sending the batch again in 1s")
		m.Finish()
		want := []string{
			"loading AAPL.csv (2,000,000 bytes)",
			"loading AAPL.csv: 20,000 rows, 50%",
			"loaded AAPL.csv: 1 price of 1 symbol in 12s, 1 row skipped",
			"published 20,000 of 40,000 prices (50%), 2,000 prices/s, at 2024-01-02T21:00:00Z",
			"server answered 503; sending the batch again in 1s",
		}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") || w.Len() != 0 {
			t.Fatalf("lines\n%s\nwant\n%s\nand nothing else: %q", strings.Join(lines, "\n"), strings.Join(want, "\n"), w.String())
		}
	})
}

// TestBars: on a terminal, a bar with the rows, the rate and the time
// left, cleared when done.
func TestBars(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var w bytes.Buffer
		var lines []string
		m := report.New(&w, true, func(s string) { lines = append(lines, s) })
		m.Start("big.csv", 1000)
		m.Read(100, 10)
		time.Sleep(150 * time.Millisecond)
		m.Read(500, 50_000)
		m.Done(load(t, "big.csv", "symbol,date,price\nA,2024-01-02,1\n", pricefile.Options{}), nil)
		m.Publishing(100)
		time.Sleep(150 * time.Millisecond)
		m.Published(40, time.Date(2024, 1, 2, 21, 0, 0, 0, time.UTC))
		m.Finish()
		s := w.String()
		for _, want := range []string{"loading big.csv: 50,000 rows", " 50% |", "B/s", "publishing, at 2024-01-02 21:00:00", "40/100", "prices/s", "\x1b[2K"} {
			if !strings.Contains(s, want) {
				t.Errorf("no %q on the terminal:\n%q", want, s)
			}
		}
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "loaded big.csv: 1 price of 1 symbol in ") {
			t.Errorf("lines %q", lines)
		}
	})
}

// TestDryRun: the format and columns found, the symbols, the prices, the
// first and last timestamps and their order, and the rows skipped.
func TestDryRun(t *testing.T) {
	var w bytes.Buffer
	nasdaq := "Date,Close/Last,Volume,Open,High,Low\n01/03/2024,$370.60,1,1,1,1\n01/02/2024,null,1,1,1,1\n12/29/2023,$376.04,1,1,1,1\n"
	long := "symbol,date,price\n"
	for i := range 12 {
		long += fmt.Sprintf("S%02d,2024-01-02T15:00:00Z,1.5\n", i)
	}
	report.DryRun(&w, []*pricefile.File{
		load(t, "MSFT.csv", nasdaq, pricefile.Options{}),
		load(t, "long.csv", long, pricefile.Options{Location: time.UTC}),
	})
	want := `MSFT.csv: CSV, comma-separated; date "Date" (column 1), price "Close/Last" (column 2), symbol MSFT (from the file's name)
  2 prices of 1 symbol (MSFT), 2023-12-29T21:00:00Z to 2024-01-03T21:00:00Z, newest first: published oldest first
  skipped 1 row without a price: 1 no price (null)
  times without a zone read in America/New_York; a date alone is 16:00 there
long.csv: CSV, comma-separated; date "date" (column 2), price "price" (column 3), symbol "symbol" (column 1)
  12 prices of 12 symbols (S00, S01, S02, S03, S04, S05, S06, S07, S08, S09, … 2 more), 2024-01-02T15:00:00Z to 2024-01-02T15:00:00Z, oldest first
  times without a zone read in UTC; a date alone is 16:00 there
dry run: would publish 14 prices of 13 symbols, 2023-12-29T21:00:00Z to 2024-01-03T21:00:00Z; nothing was published
`
	if w.String() != want {
		t.Fatalf("dry run\n%s\nwant\n%s", w.String(), want)
	}
}

func TestPublished(t *testing.T) {
	var w bytes.Buffer
	st := feed.Stats{Prices: 12345, Symbols: map[string]bool{"A": true, "B": true}, Rounded: 2,
		Skipped: pricefile.Skips{"no price (null)": 3}, First: time.Date(2024, 1, 2, 21, 0, 0, 0, time.UTC), Last: time.Date(2024, 1, 3, 21, 0, 0, 0, time.UTC)}
	report.Published(&w, st, 2*time.Second)
	want := "published 12,345 prices of 2 symbols in 2s (6,172 prices/s), timestamps 2024-01-02T21:00:00Z to 2024-01-03T21:00:00Z\n" +
		"skipped 3 rows without a price: 3 no price (null)\n" +
		"rounded 2 prices written as floats print them (181.27999877929688 or 181.279999 read as 181.28)\n"
	if w.String() != want {
		t.Fatalf("summary\n%s\nwant\n%s", w.String(), want)
	}
}
