package pricefile_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests' time zones, on a machine without zoneinfo

	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/pricefile/pricefiletest"
)

// format writes a quote as the tests compare it.
func format(symbol, price string, ts time.Time) string {
	return fmt.Sprintf("%s %s %s", symbol, price, ts.UTC().Format(time.RFC3339Nano))
}

// readAll returns every quote a Reader reads, and the error that ended
// the file (nil at its end).
func readAll(name, data string, opt pricefile.Options) ([]string, *pricefile.Reader, error) {
	r, err := pricefile.Open(strings.NewReader(data), name, opt)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	for {
		q, err := r.Next()
		if err == io.EOF {
			return out, r, nil
		}
		if err != nil {
			return out, r, err
		}
		out = append(out, format(q.Symbol, q.Price.String(), q.Timestamp))
	}
}

// load loads data and returns its quotes in the order Quotes gives them.
func load(t *testing.T, name, data string, opt pricefile.Options) ([]string, *pricefile.File) {
	t.Helper()
	f, err := pricefile.Load(context.Background(), strings.NewReader(data), name, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	var out []string
	qs := f.Quotes()
	for {
		q, err := qs.Next()
		if err == io.EOF {
			return out, f
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, format(q.Symbol, q.Price.String(), q.Timestamp))
	}
}

func options(t *testing.T, s pricefiletest.Source) pricefile.Options {
	t.Helper()
	opt := pricefile.Options{Symbol: s.Symbol, Adjusted: s.Adjusted}
	if s.TZ != "" {
		loc, err := time.LoadLocation(s.TZ)
		if err != nil {
			t.Fatal(err)
		}
		opt.Location = loc
	}
	return opt
}

// TestSources reads a file of each common source as it is downloaded:
// the header is matched, dates and prices are read as the source writes
// them, and the quotes come oldest first.
func TestSources(t *testing.T) {
	for _, s := range pricefiletest.Sources {
		t.Run(s.Name, func(t *testing.T) {
			got, f := load(t, s.File, s.Data, options(t, s))
			if strings.Join(got, "\n") != strings.Join(s.Want, "\n") {
				t.Fatalf("quotes\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(s.Want, "\n"))
			}
			if layout := f.Summary.Layout.String(); !strings.Contains(layout, s.Layout) {
				t.Fatalf("layout %s\nwant it to contain %s", layout, s.Layout)
			}
			gz, gf := load(t, s.File+".gz", string(gzipped(s.Data)), options(t, s))
			if strings.Join(gz, "\n") != strings.Join(got, "\n") || !gf.Summary.Layout.Gzip {
				t.Fatalf("gzipped: %q, gzip %v", gz, gf.Summary.Layout.Gzip)
			}
		})
	}
}

// TestHeaderMatcher: names are compared without regard to case, spaces,
// '_', '-', '/' and '.'; extra columns are ignored; ambiguous or missing
// columns are refused with what is wanted.
func TestHeaderMatcher(t *testing.T) {
	cases := []struct {
		header   string
		adjusted bool
		want     string // the columns found, or the error
	}{
		{"Date,Open,High,Low,Close,Adj Close,Volume", false, `date "Date" (column 1), price "Close" (column 5), symbol X (from the file's name)`},
		{"Date,Open,High,Low,Close,Adj Close,Volume", true, `price "Adj Close" (column 6)`},
		{"date,open,high,low,close,adjclose,volume", true, `price "adjclose" (column 6)`},
		{"timestamp,open,high,low,close,adjusted_close,volume,dividend_amount,split_coefficient", true, `date "timestamp" (column 1), price "adjusted_close" (column 6)`},
		{"DATE,CLOSE", false, `date "DATE" (column 1), price "CLOSE" (column 2)`},
		{" Date Time ,  close/last ", false, `date "Date Time" (column 1), price "close/last" (column 2)`},
		{"Date,Time,Open,High,Low,Close,Volume", false, `date "Date" (column 1) with time "Time" (column 2), price "Close" (column 6)`},
		{"<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,<HIGH>,<LOW>,<CLOSE>,<VOL>,<OPENINT>", false, `date "<DATE>" (column 3) with time "<TIME>" (column 4), price "<CLOSE>" (column 8), symbol "<TICKER>" (column 1)`},
		{"Ticker;Date-Time;Price", false, `CSV, semicolon-separated; date "Date-Time" (column 2), price "Price" (column 3), symbol "Ticker" (column 1)`},
		{"Adj. Close\tDate\tClose", true, `CSV, tab-separated; date "Date" (column 2), price "Adj. Close" (column 1)`},
		{"Date,Open,Adj Close", false, `X.csv:1:1: no close column, but an adjusted one, "Adj Close": publish it with --adjusted`},
		{"Date,Close", true, "X.csv:1:1: no adjusted close column (adj close, adj_close, adjclose or adjusted_close) for --adjusted"},
		{"Open,Close", false, `X.csv:1:1: no date column: want one named date, timestamp, datetime or time; the header has "Open,Close"`},
		{"Date,Open", false, "X.csv:1:1: no price column: want one named close, close/last or price"},
		{"Date,Close,close", false, `X.csv:1:12: two columns are named "Close": columns 2 and 3`},
		{"Date,Close,Price", false, `X.csv:1:1: two price columns, "Close" (column 2) and "Price" (column 3): keep one`},
		{"Date,Timestamp,Close", false, `X.csv:1:1: two date columns, "Date" (column 1) and "Timestamp" (column 2)`},
		{"Date,Close,Symbol,Ticker", false, `two symbol columns`},
		{"Date,Clοse", false, "no price column"}, // a Greek omicron is not an o
	}
	for _, c := range cases {
		t.Run(c.header, func(t *testing.T) {
			r, err := pricefile.Open(strings.NewReader(c.header+"\n"), "X.csv", pricefile.Options{Adjusted: c.adjusted})
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = r.Layout().String()
			}
			if !strings.Contains(got, c.want) {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestDates(t *testing.T) {
	cases := map[string]string{
		"2024-01-02":                    "2024-01-02T21:00:00Z", // a date alone: 16:00 in New York, in winter
		"2024-07-02":                    "2024-07-02T20:00:00Z", // and in summer
		"01/02/2024":                    "2024-01-02T21:00:00Z",
		"1/2/2024":                      "2024-01-02T21:00:00Z",
		"20240102":                      "2024-01-02T21:00:00Z",
		"02.01.2024":                    "2024-01-02T21:00:00Z",
		"Jan 2 2024":                    "2024-01-02T21:00:00Z",
		"Jan 2, 2024":                   "2024-01-02T21:00:00Z",
		"January 2, 2024":               "2024-01-02T21:00:00Z",
		"2 Jan 2024":                    "2024-01-02T21:00:00Z",
		"2024-01-02 09:30:00":           "2024-01-02T14:30:00Z", // no zone: New York
		"2024-01-02T09:30:00":           "2024-01-02T14:30:00Z",
		"2024-01-02 09:30":              "2024-01-02T14:30:00Z",
		"2024-01-02 09:30:00.25":        "2024-01-02T14:30:00.25Z",
		"01/02/2024 09:30:00":           "2024-01-02T14:30:00Z",
		"20240102 093000":               "2024-01-02T14:30:00Z",
		"2024-01-02T09:30:00Z":          "2024-01-02T09:30:00Z", // a zone wins
		"2024-01-02T09:30:00.123+01:00": "2024-01-02T08:30:00.123Z",
		"2024-01-02 09:30:00-05:00":     "2024-01-02T14:30:00Z", // pandas
		"2024-01-02 09:30:00+00:00":     "2024-01-02T09:30:00Z",
	}
	for in, want := range cases {
		got, _, err := readAll("p.csv", "symbol,date,price\nA,\""+in+"\",1\n", pricefile.Options{})
		if err != nil || len(got) != 1 || !strings.HasSuffix(got[0], " "+want) {
			t.Errorf("%q read as %v, %v; want %s", in, got, err, want)
		}
	}
	utc, _ := readAll2(t, "symbol,date,price\nA,2024-01-02,1\nA,2024-01-02 09:30:00,1\n", pricefile.Options{Location: time.UTC})
	if strings.Join(utc, "|") != "A 1 2024-01-02T16:00:00Z|A 1 2024-01-02T09:30:00Z" {
		t.Errorf("in UTC: %v", utc)
	}
}

func readAll2(t *testing.T, data string, opt pricefile.Options) ([]string, *pricefile.Reader) {
	t.Helper()
	got, r, err := readAll("p.csv", data, opt)
	if err != nil {
		t.Fatal(err)
	}
	return got, r
}

func TestPrices(t *testing.T) {
	cases := []struct{ sep, in, want string }{
		{",", "185.64", "185.64"},
		{",", "$185.64", "185.64"},
		{",", `" $1,234.56 "`, "1234.56"},
		{",", `"1,234,567"`, "1234567"},
		{";", "185,64", "185.64"},
		{";", "1.234,56", "1234.56"},
		{";", "$1.234.567,5", "1234567.5"},
		{"\t", "185.64", "185.64"},
		{"\t", "1,234.56", "1234.56"},
		{";", "185", "185"},
	}
	for _, c := range cases {
		data := strings.ReplaceAll("symbol,date,price\nA,2024-01-02,", ",", c.sep) + c.in + "\n"
		got, _, err := readAll("p.csv", data, pricefile.Options{})
		if err != nil || len(got) != 1 || strings.Fields(got[0])[1] != c.want {
			t.Errorf("%q in a %q file read as %v, %v; want %s", c.in, c.sep, got, err, c.want)
		}
	}
	// A file keeps the decimal mark its first price shows.
	got, _ := readAll2(t, "symbol;date;price\nA;2024-01-02;1.234,5\nA;2024-01-03;7,25\nA;2024-01-04;9\n", pricefile.Options{})
	if strings.Join(got, "|") != "A 1234.5 2024-01-02T21:00:00Z|A 7.25 2024-01-03T21:00:00Z|A 9 2024-01-04T21:00:00Z" {
		t.Errorf("decimal commas: %v", got)
	}
}

// TestSkippedRows: rows without a price are skipped and counted by
// reason; blank lines are not rows.
func TestSkippedRows(t *testing.T) {
	data := "Date,Close,Volume\n2024-01-02,1,5\n2024-01-03,null,0\n2024-01-04,,0\n\n,,\n2024-01-05,NaN,0\n2024-01-08,null,0\n2024-01-09,2,5\n"
	got, r := readAll2(t, data, pricefile.Options{Symbol: "A"})
	if len(got) != 2 || r.Skipped.Total() != 5 || r.Skipped.String() != "2 no price (null), 1 empty row, 1 no price (empty), 1 no price (nan)" {
		t.Fatalf("quotes %v, skipped %v", got, r.Skipped)
	}
}

// TestLoadOrders: a file is read in time order however it is listed.
func TestLoadOrders(t *testing.T) {
	rows := func(lines ...string) string { return "symbol,date,price\n" + strings.Join(lines, "\n") + "\n" }
	cases := []struct {
		name, data string
		order      pricefile.Order
		want       string // prices in the order read
	}{
		{"oldest first", rows("A,2024-01-02,1", "A,2024-01-02,2", "A,2024-01-03,3"), pricefile.OldestFirst, "1 2 3"},
		{"newest first", rows("A,2024-01-04,4", "A,2024-01-03,3", "A,2024-01-03,2", "A,2024-01-02,1"), pricefile.NewestFirst, "1 2 3 4"},
		{"grouped by symbol", rows("A,2024-01-02,1", "A,2024-01-04,3", "B,2024-01-03,2", "B,2024-01-05,4", "C,2024-01-02,1.5"), pricefile.Runs, "1 1.5 2 3 4"},
		{"grouped, newest first", rows("A,2024-01-04,3", "A,2024-01-02,1", "B,2024-01-05,4", "B,2024-01-03,2"), pricefile.Runs, "1 2 3 4"},
		{"one quote", rows("A,2024-01-02,1"), pricefile.OldestFirst, "1"},
		{"none", rows(), pricefile.OldestFirst, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, f := load(t, "p.csv", c.data, pricefile.Options{})
			var prices []string
			for _, g := range got {
				prices = append(prices, strings.Fields(g)[1])
			}
			if strings.Join(prices, " ") != c.want || f.Summary.Order != c.order {
				t.Fatalf("read %v as %v, want %s as %v", prices, f.Summary.Order, c.want, c.order)
			}
			again, _ := load(t, "p.csv", c.data, pricefile.Options{})
			if strings.Join(again, "|") != strings.Join(got, "|") {
				t.Fatal("a second read differs")
			}
		})
	}
	// Past MaxRuns, the file's order.
	var b strings.Builder
	b.WriteString("symbol,date,price\n")
	for i := range 2*pricefile.MaxRuns + 4 {
		fmt.Fprintf(&b, "A,2024-01-0%d,%d\n", 2+i%2, i+1)
	}
	got, f := load(t, "p.csv", b.String(), pricefile.Options{})
	if f.Summary.Order != pricefile.FileOrder || len(got) != 2*pricefile.MaxRuns+4 || !strings.HasPrefix(got[0], "A 1 ") || !strings.HasPrefix(got[1], "A 2 ") {
		t.Fatalf("order %v, first %v", f.Summary.Order, got[:2])
	}
}

// TestLoadSummary: what a dry run shows of a file.
func TestLoadSummary(t *testing.T) {
	data := "Date,Close/Last,Volume\n01/04/2024,$3,1\n01/03/2024,null,1\n01/02/2024,$181.27999877929688,1\n"
	_, f := load(t, "NVDA.csv", data, pricefile.Options{})
	s := f.Summary
	if s.Quotes != 2 || s.Symbols["NVDA"] != 2 || s.Order != pricefile.NewestFirst || s.Rounded != 1 || s.Skipped.String() != "1 no price (null)" ||
		s.First != time.Date(2024, 1, 2, 21, 0, 0, 0, time.UTC) || s.Last != time.Date(2024, 1, 4, 21, 0, 0, 0, time.UTC) {
		t.Fatalf("summary %+v", s)
	}
}

// TestLoadRefusesAHalfValidFile: one bad row anywhere refuses the file,
// with its line and column, and reports progress on the way.
func TestLoadRefusesAHalfValidFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("symbol,date,price\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "A,2024-01-02,%d\n", i+1)
	}
	b.WriteString("A,2024-01-02,one\n")
	var progress []int
	_, err := pricefile.Load(context.Background(), strings.NewReader(b.String()), "big.csv", pricefile.Options{}, func(n int) { progress = append(progress, n) })
	if err == nil || err.Error() != `big.csv:10002:14: invalid price "one": not a decimal number: want a price such as 185.64, $1,234.56 or 185,64` {
		t.Fatalf("error %v", err)
	}
	if fmt.Sprint(progress) != "[4096 8192]" {
		t.Fatalf("progress %v", progress)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := pricefile.Load(ctx, strings.NewReader(b.String()), "big.csv", pricefile.Options{}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled load: %v", err)
	}
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte(s))
	z.Close()
	return b.Bytes()
}

func TestGzip(t *testing.T) {
	r, err := pricefile.Open(bytes.NewReader(gzipped("symbol,date,price\nAAPL,2000-01-03,3.99\n")), "p.csv.gz", pricefile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if q, err := r.Next(); err != nil || q.Symbol != "AAPL" || q.Price.String() != "3.99" || !r.Layout().Gzip {
		t.Fatalf("%+v %v", q, err)
	}
	if _, err := pricefile.Open(strings.NewReader("\x1f\x8bnot gzip"), "x.gz", pricefile.Options{}); err == nil || !strings.Contains(err.Error(), "x.gz:1: gzip") {
		t.Fatalf("broken gzip: %v", err)
	}
}

func TestNDJSON(t *testing.T) {
	data := `{"id":"7","symbol":"AAPL","price":118.88,"timestamp":"2025-06-16T05:31:12.5838771Z"}` + "\n\n" +
		`{"symbol":"MSFT","price":420.270000001,"timestamp":"2025-06-16T05:31:13Z","open":400}` + "\r\n" +
		`{"symbol":"IBM","price":1,"timestamp":"2025-06-16 09:30:00"}` + "\n"
	got, r := readAll2(t, data, pricefile.Options{})
	if r.Format() != pricefile.NDJSON || r.Rounded != 1 ||
		strings.Join(got, "|") != "AAPL 118.88 2025-06-16T05:31:12.5838771Z|MSFT 420.27 2025-06-16T05:31:13Z|IBM 1 2025-06-16T13:30:00Z" {
		t.Fatalf("%v %v", r.Format(), got)
	}
}

func TestFileSymbol(t *testing.T) {
	for name, want := range map[string]string{"data/AAPL.csv": "AAPL", "BF.B.csv.gz": "BF.B", "brk-b.TSV": "BRK-B", "IBM.txt": "IBM", "SAP.DE.csv": "SAP.DE"} {
		got, _, err := readAll(name, "Date,Close\n2024-01-02,1\n", pricefile.Options{})
		if err != nil || len(got) != 1 || !strings.HasPrefix(got[0], want+" ") {
			t.Errorf("%s: %v %v", name, got, err)
		}
	}
}

func TestErrorsNameFileLineAndColumn(t *testing.T) {
	long := "symbol,date,price\n"
	yahoo := "Date,Open,High,Low,Close,Adj Close,Volume\n"
	cases := []struct{ name, file, symbol, data, want string }{
		{"empty", "e.csv", "", "", "e.csv:1: empty file: want a CSV header"},
		{"unknown header", "x.csv", "", "ticker,day,value\n", `x.csv:1:1: no date column: want one named date, timestamp, datetime or time; the header has "ticker,day,value"`},
		{"bad symbol", "p.csv", "", long + "AAPL,2000-01-03,1\nA PL,2000-01-03,1\n", "p.csv:3:1: invalid symbol"},
		{"bad date", "p.csv", "", long + "AAPL,13/45/2000,1\n", `p.csv:2:6: date "13/45/2000": want a date such as 2024-01-02, 01/02/2024`},
		{"before 1970", "p.csv", "", long + "AAPL,1969-12-31,1\n", "p.csv:2:6: date \"1969-12-31\" is before 1970"},
		{"bad price", "p.csv", "", long + "AAPL,2000-01-03,abc\n", `p.csv:2:17: invalid price "abc": not a decimal number: want a price such as 185.64`},
		{"negative price", "p.csv", "", long + "AAPL,2000-01-03,-1\n", "p.csv:2:17: invalid price \"-1\": must not be negative"},
		{"zero price", "p.csv", "", long + "AAPL,2000-01-03,0.0000001\n", "p.csv:2:17: invalid price \"0.000000\": must be greater than zero"},
		{"huge price", "p.csv", "", long + "AAPL,2000-01-03,1e12\n", "p.csv:2:17: invalid price"},
		{"bad grouping", "p.csv", "", long + "AAPL,2000-01-03,\"12,34.5\"\n", `p.csv:2:17: "12,34.5": "," groups thousands and "." marks decimals in this file, as in 1,234.56`},
		{"unquoted thousands", "p.csv", "", long + "AAPL,2000-01-03,1,234.5\n", `p.csv:2: 4 fields, the header has 3: want one "," between fields, and quotes around a field that holds one`},
		{"field count", "p.csv", "", long + "AAPL,2000-01-03\n", "p.csv:2: 2 fields, the header has 3"},
		{"bare quote", "p.csv", "", long + "AA\"PL,2000-01-03,1\n", `p.csv:2:3: bare "`},
		{"open quote", "p.csv", "", long + "\"AAPL,2000-01-03,1\n", "p.csv:2:1: quoted field not closed"},
		{"text after quote", "p.csv", "", long + "\"AAPL\"x,2000-01-03,1\n", "p.csv:2:7: text after a quoted field"},
		{"long line", "p.csv", "", long + strings.Repeat("x", pricefile.MaxLine+10) + "\n", "p.csv:2: line longer than 65536 bytes"},
		{"no symbol", "-", "", yahoo, "-:1: this file has no symbol column: name the file after its symbol (AAPL.csv) or give its symbol with --symbol (--replay-symbol for serve --replay)"},
		{"yahoo bad close", "AAPL.csv", "", yahoo + "2024-01-02,1,1,1,1.2.3,1,1\n", "AAPL.csv:2:18: invalid price"},
		{"bad symbol given", "AAPL.csv", "a b", yahoo, "invalid symbol"},
		{"symbol for a symbol column", "p.csv", "AAPL", long, `p.csv:1:1: a symbol is given, but this file's "symbol" (column 1) column names the symbol of each row`},
		{"ndjson syntax", "r.ndjson", "", "{\"symbol\":\"A\",,}\n", "r.ndjson:1:15: invalid JSON"},
		{"ndjson field", "r.ndjson", "", `{"symbol":"A","price":1,"timestamp":"2024-01-02T00:00:00Z","volume":3}`, `r.ndjson:1: not a StockPriceEvent: json: unknown field "volume"`},
		{"ndjson price string", "r.ndjson", "", `{"symbol":"A","price":"1","timestamp":"2024-01-02T00:00:00Z"}`, "r.ndjson:1: price must be a JSON number"},
		{"ndjson two on a line", "r.ndjson", "", `{"symbol":"A","price":1,"timestamp":"2024-01-02T00:00:00Z"} {}`, "r.ndjson:1:61: data after the event"},
		{"ndjson no timestamp", "r.ndjson", "", `{"symbol":"A","price":1}`, "r.ndjson:1: no timestamp"},
		{"ndjson no price", "r.ndjson", "", `{"symbol":"A","timestamp":"2024-01-02T00:00:00Z"}`, "r.ndjson:1: no price"},
		{"ndjson bad symbol", "r.ndjson", "", "{\"symbol\":\"\",\"price\":1,\"timestamp\":\"2024-01-02T00:00:00Z\"}\n", "r.ndjson:1: invalid symbol: empty"},
		{"ndjson csv after", "r.ndjson", "", "{\"symbol\":\"A\",\"price\":1,\"timestamp\":\"2024-01-02T00:00:00Z\"}\nA,1,2\n", "r.ndjson:2:1: invalid JSON"},
		{"ndjson with a symbol", "r.ndjson", "A", `{"symbol":"A","price":1,"timestamp":"2024-01-02T00:00:00Z"}`, "r.ndjson:1: NDJSON events name their symbols"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := readAll(c.file, c.data, pricefile.Options{Symbol: c.symbol})
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("error %v\nwant one starting with %q", err, c.want)
			}
			var pe *pricefile.Error
			if c.name != "bad symbol given" && !errors.As(err, &pe) {
				t.Fatalf("%T is not a *pricefile.Error", err)
			}
		})
	}
}

func TestFloatArtefacts(t *testing.T) {
	for in, want := range map[string]string{
		"181.27999877929688":  "181.28",     // float32 181.28 printed as a float64
		"185.63999938964844":  "185.64",     // the same
		"185.639999":          "185.64",     // float32 185.64 printed with %f, as Yahoo does
		"187.149994":          "187.15",     // the same
		"0.123400":            "0.1234",     // exact: the same price, not rounded
		"185.640001":          "185.640001", // not how a float32 prints: kept
		"10.123456":           "10.123456",
		"0.30000000000000004": "0.3",      // a float64 sum: rounded half-even
		"1.0000005":           "1",        // a tie goes to the even digit
		"1.0000015":           "1.000002", // the same
		"1.00000051":          "1.000001", // above the tie
		"999999999.9999999":   "1000000000",
		"118.88":              "118.88", // short enough: untouched
	} {
		got, r, err := readAll("p.csv", "symbol,date,price\nA,2000-01-03,"+in+"\n", pricefile.Options{})
		rounded := strings.TrimRight(strings.TrimRight(in, "0"), ".") != want
		if err != nil || len(got) != 1 || strings.Fields(got[0])[1] != want || (r.Rounded == 1) != rounded {
			t.Errorf("%s read as %v (rounded %d), %v; want %s", in, got, r.Rounded, err, want)
		}
	}
}

// BenchmarkLoad measures loading a Yahoo-style daily file of 100,000 rows
// (read, checked and spooled), then reading it back in time order. One op
// is one row.
func BenchmarkLoad(b *testing.B) {
	var f strings.Builder
	f.WriteString("Date,Open,High,Low,Close,Adj Close,Volume\n")
	day := time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC)
	const rows = 100_000
	for i := range rows {
		fmt.Fprintf(&f, "%s,187.149994,188.440002,183.889999,%d.639999,184.938217,82488700\n", day.AddDate(0, 0, i).Format(time.DateOnly), 100+i%100)
	}
	data := f.String()
	b.SetBytes(int64(len(data)) / rows)
	b.ResetTimer()
	for n := 0; n < b.N; n += rows {
		lf, err := pricefile.Load(context.Background(), strings.NewReader(data), "AAPL.csv", pricefile.Options{Location: time.UTC}, nil)
		if err != nil {
			b.Fatal(err)
		}
		qs := lf.Quotes()
		for {
			if _, err := qs.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		lf.Close()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
