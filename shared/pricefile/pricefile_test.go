package pricefile_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stockstream/stockstream/shared/pricefile"
)

// readAll returns every quote as "SYMBOL PRICE TIMESTAMP", and the error
// that ended the file (nil at its end).
func readAll(name, symbol, data string) ([]string, *pricefile.Reader, error) {
	r, err := pricefile.Open(strings.NewReader(data), name, symbol)
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
		out = append(out, fmt.Sprintf("%s %s %s", q.Symbol, q.Price, q.Timestamp.Format("2006-01-02T15:04:05.999Z07:00")))
	}
}

func TestFormats(t *testing.T) {
	cases := []struct {
		name, file, symbol, data string
		format                   pricefile.Format
		want                     string
		skipped, rounded         int
	}{
		{"long", "prices.csv", "", "symbol,date,price\nAAPL,2000-01-03,3.99\nmsft,Jan 4 2000,58.28\r\nIBM,\"Jan 5, 2000\",\"112.5\"\n\nBRK.B,2000-01-06T15:30:00-05:00,1800.000\n",
			pricefile.LongCSV, "AAPL 3.99 2000-01-03T00:00:00Z|MSFT 58.28 2000-01-04T00:00:00Z|IBM 112.5 2000-01-05T00:00:00Z|BRK.B 1800 2000-01-06T20:30:00Z", 0, 0},
		{"long, other order and names", "p.csv", "", "\xef\xbb\xbfPrice, Timestamp ,Symbol\n1.5,2024-03-01 09:30:00,A\n2,20240302,B\n3,January 3 2024,C\n4,4 Jan 2024,D\n",
			pricefile.LongCSV, "A 1.5 2024-03-01T09:30:00Z|B 2 2024-03-02T00:00:00Z|C 3 2024-01-03T00:00:00Z|D 4 2024-01-04T00:00:00Z", 0, 0},
		{"yahoo", "data/AAPL.csv", "", "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,187.15,188.44,183.89,185.63999938964844,184.9,82488700\n2024-01-03,null,null,null,null,null,null\n2024-01-04,1,1,1,181.27999877929688,1,1\n2024-01-05,1,1,1,0.0000025,1,1\n2024-01-08,1,1,1,0.0000035,1,1\n",
			pricefile.YahooCSV, "AAPL 185.64 2024-01-02T00:00:00Z|AAPL 181.28 2024-01-04T00:00:00Z|AAPL 0.000002 2024-01-05T00:00:00Z|AAPL 0.000004 2024-01-08T00:00:00Z", 1, 4},
		{"yahoo, symbol given, gz name", "download.csv.gz", "brk-b", "Date,Close\n2024-01-02,350\n",
			pricefile.YahooCSV, "BRK-B 350 2024-01-02T00:00:00Z", 0, 0},
		{"yahoo, name", "BF.B.csv.gz", "", "date,close\n2024-01-02,10\n",
			pricefile.YahooCSV, "BF.B 10 2024-01-02T00:00:00Z", 0, 0},
		{"ndjson", "rec.ndjson", "", `{"id":"7","symbol":"AAPL","price":118.88,"timestamp":"2025-06-16T05:31:12.5838771Z"}` + "\n\n" +
			`{"symbol":"MSFT","price":420.270000001,"timestamp":"2025-06-16T05:31:13Z","open":400}` + "\r\n",
			pricefile.NDJSON, "AAPL 118.88 2025-06-16T05:31:12.583Z|MSFT 420.27 2025-06-16T05:31:13Z", 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, r, err := readAll(c.file, c.symbol, c.data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Format() != c.format || strings.Join(got, "|") != c.want || r.Skipped != c.skipped || r.Rounded != c.rounded {
				t.Fatalf("format %v, skipped %d, rounded %d, quotes\n%s\nwant %v, %d, %d,\n%s", r.Format(), r.Skipped, r.Rounded, strings.Join(got, "|"), c.format, c.skipped, c.rounded, c.want)
			}
		})
	}
}

func TestGzip(t *testing.T) {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte("symbol,date,price\nAAPL,2000-01-03,3.99\n"))
	z.Close()
	r, err := pricefile.Open(&b, "p.csv.gz", "")
	if err != nil {
		t.Fatal(err)
	}
	if q, err := r.Next(); err != nil || q.Symbol != "AAPL" || q.Price.String() != "3.99" {
		t.Fatalf("%+v %v", q, err)
	}
	if _, err := pricefile.Open(strings.NewReader("\x1f\x8bnot gzip"), "x.gz", ""); err == nil || !strings.Contains(err.Error(), "x.gz:1: gzip") {
		t.Fatalf("broken gzip: %v", err)
	}
}

func TestErrorsNameFileLineAndColumn(t *testing.T) {
	long := "symbol,date,price\n"
	yahoo := "Date,Open,High,Low,Close,Adj Close,Volume\n"
	cases := []struct{ name, file, symbol, data, want string }{
		{"empty", "e.csv", "", "", "e.csv:1: empty file"},
		{"unknown header", "x.csv", "", "ticker,day,value\n", `x.csv:1:1: unknown header "ticker,day,value"`},
		{"extra column", "x.csv", "", "symbol,date,price,volume\n", "x.csv:1:1: unknown header"},
		{"bad symbol", "p.csv", "", long + "AAPL,2000-01-03,1\nA PL,2000-01-03,1\n", "p.csv:3:1: invalid symbol"},
		{"bad date", "p.csv", "", long + "AAPL,03/01/2000,1\n", `p.csv:2:6: date "03/01/2000": use 2006-01-02`},
		{"before 1970", "p.csv", "", long + "AAPL,1969-12-31,1\n", "p.csv:2:6: date \"1969-12-31\" is before 1970"},
		{"bad price", "p.csv", "", long + "AAPL,2000-01-03,abc\n", `p.csv:2:17: invalid price "abc"`},
		{"negative price", "p.csv", "", long + "AAPL,2000-01-03,-1\n", "p.csv:2:17: invalid price \"-1\": must not be negative"},
		{"zero price", "p.csv", "", long + "AAPL,2000-01-03,0.0000001\n", "p.csv:2:17: invalid price \"0.000000\": must be greater than zero"},
		{"huge price", "p.csv", "", long + "AAPL,2000-01-03,1e12\n", "p.csv:2:17: invalid price"},
		{"field count", "p.csv", "", long + "AAPL,2000-01-03\n", "p.csv:2: 2 fields, the header has 3"},
		{"bare quote", "p.csv", "", long + "AA\"PL,2000-01-03,1\n", `p.csv:2:3: bare "`},
		{"open quote", "p.csv", "", long + "\"AAPL,2000-01-03,1\n", "p.csv:2:1: quoted field not closed"},
		{"text after quote", "p.csv", "", long + "\"AAPL\"x,2000-01-03,1\n", "p.csv:2:7: extraneous text"},
		{"long line", "p.csv", "", long + strings.Repeat("x", pricefile.MaxLine+10) + "\n", "p.csv:2: line longer than 65536 bytes"},
		{"yahoo without a symbol", "-", "", yahoo, "-:1: a Yahoo file holds one symbol"},
		{"yahoo bad close", "AAPL.csv", "", yahoo + "2024-01-02,1,1,1,1.2.3,1,1\n", "AAPL.csv:2:18: invalid price"},
		{"bad symbol given", "AAPL.csv", "a b", yahoo, "invalid symbol"},
		{"--symbol for long", "p.csv", "AAPL", long, "p.csv:1: a symbol is given but this is a long CSV"},
		{"ndjson syntax", "r.ndjson", "", "{\"symbol\":\"A\",,}\n", "r.ndjson:1:15: invalid JSON"},
		{"ndjson field", "r.ndjson", "", `{"symbol":"A","price":1,"timestamp":"2024-01-02T00:00:00Z","volume":3}`, `r.ndjson:1: not a StockPriceEvent: json: unknown field "volume"`},
		{"ndjson price string", "r.ndjson", "", `{"symbol":"A","price":"1","timestamp":"2024-01-02T00:00:00Z"}`, "r.ndjson:1: price must be a JSON number"},
		{"ndjson two on a line", "r.ndjson", "", `{"symbol":"A","price":1,"timestamp":"2024-01-02T00:00:00Z"} {}`, "r.ndjson:1:61: data after the event"},
		{"ndjson no timestamp", "r.ndjson", "", `{"symbol":"A","price":1}`, "r.ndjson:1: no timestamp"},
		{"ndjson no price", "r.ndjson", "", `{"symbol":"A","timestamp":"2024-01-02T00:00:00Z"}`, "r.ndjson:1: no price"},
		{"ndjson bad symbol", "r.ndjson", "", "{\"symbol\":\"\",\"price\":1,\"timestamp\":\"2024-01-02T00:00:00Z\"}\n", "r.ndjson:1: invalid symbol: empty"},
		{"ndjson csv after", "r.ndjson", "", "{\"symbol\":\"A\",\"price\":1,\"timestamp\":\"2024-01-02T00:00:00Z\"}\nA,1,2\n", "r.ndjson:2:1: invalid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := readAll(c.file, c.symbol, c.data)
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

// FuzzRead checks that no input makes a Reader panic or return a quote the
// server would refuse, and that every error names the file.
func FuzzRead(f *testing.F) {
	f.Add("symbol,date,price\nAAPL,2000-01-03,3.99\n")
	f.Add("Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,1,1,185.63999938964844,1,1\n2024-01-03,null,null,null,null,null,null\n")
	f.Add(`{"symbol":"A","price":1,"timestamp":"2024-01-02T00:00:00Z"}`)
	f.Add("\"symbol\",\"date\",\"price\"\n\"A\"\"\",\"x\",\"1\"\n")
	f.Fuzz(func(t *testing.T, data string) {
		r, err := pricefile.Open(strings.NewReader(data), "AAPL.csv", "")
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
		if err != io.EOF && !strings.HasPrefix(err.Error(), "AAPL.csv:") {
			t.Fatalf("error %q does not name the file", err)
		}
	})
}

func TestFloatArtefacts(t *testing.T) {
	for in, want := range map[string]string{
		"181.27999877929688":  "181.28",   // float32 181.28 printed as a float64
		"185.63999938964844":  "185.64",   // the same
		"0.30000000000000004": "0.3",      // a float64 sum: rounded half-even
		"1.0000005":           "1",        // a tie goes to the even digit
		"1.0000015":           "1.000002", // the same
		"1.00000051":          "1.000001", // above the tie
		"999999999.9999999":   "1000000000",
		"118.88":              "118.88", // short enough: untouched
	} {
		r, err := pricefile.Open(strings.NewReader("symbol,date,price\nA,2000-01-03,"+in+"\n"), "p.csv", "")
		if err != nil {
			t.Fatal(err)
		}
		q, err := r.Next()
		if err != nil || q.Price.String() != want || (r.Rounded == 1) != (in != want) {
			t.Errorf("%s read as %s (rounded %d), %v; want %s", in, q.Price, r.Rounded, err, want)
		}
	}
}
