package pricefile_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/pricefile/pricefiletest"
)

// checkRefusal fails unless err is an *Error naming the file and a line
// from 1 to lines.
func checkRefusal(t *testing.T, err error, lines int) {
	t.Helper()
	var pe *pricefile.Error
	if !errors.As(err, &pe) || pe.File != "AAPL.csv" || pe.Line < 1 || pe.Line > lines || !strings.HasPrefix(err.Error(), "AAPL.csv:") {
		t.Fatalf("refusal %q (%T) does not name the file and a line in 1..%d", err, err, lines)
	}
}

// FuzzRead checks that no input makes a Reader panic or return a quote the
// server would refuse, and that every refusal names the file and a line.
func FuzzRead(f *testing.F) {
	for _, s := range pricefiletest.Sources {
		f.Add(s.Data)
	}
	f.Add("symbol,date,price\nAAPL,2000-01-03,3.99\n")
	f.Add(`{"symbol":"A","price":1,"timestamp":"2024-01-02T00:00:00Z"}`)
	f.Add("\"symbol\",\"date\",\"price\"\n\"A\"\"\",\"x\",\"1\"\n")
	f.Fuzz(func(t *testing.T, data string) {
		r, err := pricefile.Open(strings.NewReader(data), "AAPL.csv", pricefile.Options{})
		for err == nil {
			quote, qerr := r.Next()
			if qerr != nil {
				err = qerr
				break
			}
			if verr := quote.Validate(); verr != nil || quote.Timestamp.IsZero() || quote.Timestamp.Year() < 1970 {
				t.Fatalf("%q gave the quote %+v (%v)", data, quote, verr)
			}
		}
		if err != io.EOF {
			checkRefusal(t, err, strings.Count(data, "\n")+1)
		}
	})
}

// FuzzHeader fuzzes the header matcher: no header makes it panic; one it
// takes names a date and a price column inside the header, distinct; one
// it refuses is refused at line 1.
func FuzzHeader(f *testing.F) {
	for _, s := range pricefiletest.Sources {
		head, _, _ := strings.Cut(s.Data, "\n")
		f.Add(head, s.Adjusted)
	}
	f.Add("Date,Time,Close,Ticker", false)
	f.Add("Date,Close,close", true)
	f.Add("\"Da\"\"te\";Close", false)
	f.Fuzz(func(t *testing.T, header string, adjusted bool) {
		if strings.ContainsAny(header, "\n{") || strings.HasPrefix(header, "\x1f") {
			return // one line, not NDJSON, not gzip
		}
		r, err := pricefile.Open(strings.NewReader(header+"\n"), "AAPL.csv", pricefile.Options{Adjusted: adjusted})
		if err != nil {
			checkRefusal(t, err, 1)
			return
		}
		c := r.Layout().Columns
		n := strings.Count(header, string(r.Layout().Separator)) + 1
		if c.Date.Index >= n || c.Price.Index >= n || c.Date.Index == c.Price.Index || c.Date.Name == "" || c.Price.Name == "" {
			t.Fatalf("%q: columns %+v of %d", header, c, n)
		}
	})
}

// FuzzRow fuzzes the row parser behind each source's header: no row
// makes it panic; a quote it reads is one the server takes; a row it
// refuses is refused at line 2.
func FuzzRow(f *testing.F) {
	for i, s := range pricefiletest.Sources {
		_, rows, _ := strings.Cut(s.Data, "\n")
		row, _, _ := strings.Cut(rows, "\n")
		f.Add(uint8(i), row)
	}
	f.Add(uint8(0), "2024-01-02,1,1,1,\"$1,234.5\",1,1")
	f.Add(uint8(5), "02.01.2024;1;1;1;1.234.567,891;1")
	f.Fuzz(func(t *testing.T, source uint8, row string) {
		if strings.ContainsAny(row, "\n\r") {
			return // one row
		}
		s := pricefiletest.Sources[int(source)%len(pricefiletest.Sources)]
		head, _, _ := strings.Cut(s.Data, "\n")
		r, err := pricefile.Open(strings.NewReader(head+"\n"+row+"\n"), "AAPL.csv", pricefile.Options{Adjusted: s.Adjusted})
		if err != nil {
			t.Fatalf("header %q: %v", head, err)
		}
		q, err := r.Next()
		switch {
		case err == io.EOF:
		case err != nil:
			checkRefusal(t, err, 2)
		default:
			if verr := q.Validate(); verr != nil || q.Timestamp.Year() < 1970 {
				t.Fatalf("%q gave the quote %+v (%v)", row, q, verr)
			}
		}
	})
}

// FuzzLoad checks that a loaded file gives back exactly the quotes a
// Reader reads, as a multiset, whatever their order.
func FuzzLoad(f *testing.F) {
	f.Add("symbol,date,price\nA,2024-01-03,1\nB,2024-01-02,2\nA,2024-01-04,3\nB,2024-01-01,4\n")
	f.Fuzz(func(t *testing.T, data string) {
		want, _, err := readAll("AAPL.csv", data, pricefile.Options{})
		if err != nil {
			return
		}
		lf, err := pricefile.Load(context.Background(), strings.NewReader(data), "AAPL.csv", pricefile.Options{}, nil)
		if err != nil {
			t.Fatalf("the reader took %q, Load did not: %v", data, err)
		}
		defer lf.Close()
		seen := map[string]int{}
		for _, w := range want {
			seen[w]++
		}
		qs := lf.Quotes()
		var last time.Time
		for {
			q, err := qs.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			k := format(q.Symbol, q.Price.String(), q.Timestamp)
			if seen[k]--; seen[k] < 0 {
				t.Fatalf("%q: %s read back once too often", data, k)
			}
			if lf.Summary.Order != pricefile.FileOrder && q.Timestamp.Before(last) {
				t.Fatalf("%q: %s after %s", data, q.Timestamp, last)
			}
			last = q.Timestamp
		}
		for k, n := range seen {
			if n != 0 {
				t.Fatalf("%q: %s missing", data, k)
			}
		}
	})
}
