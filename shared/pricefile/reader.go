package pricefile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Format is the kind of a price file.
type Format int

// The formats a Reader detects.
const (
	LongCSV Format = iota + 1
	YahooCSV
	NDJSON
)

func (f Format) String() string {
	switch f {
	case LongCSV:
		return "long CSV (symbol,date,price)"
	case YahooCSV:
		return "Yahoo daily CSV (closes)"
	case NDJSON:
		return "NDJSON events"
	}
	return "unknown"
}

// MaxLine is the longest line a price file may have, in bytes.
const MaxLine = 64 << 10

// Reader reads the quotes of one price file.
type Reader struct {
	name   string
	format Format
	src    *bufio.Reader
	line   int
	first  []byte // a first line that is already data (NDJSON)
	cols   columns
	symbol string // of a Yahoo file

	// Skipped counts the rows without a price ("null" in Yahoo files).
	Skipped int
	// Rounded counts the prices rounded to six decimal places.
	Rounded int
}

// columns are the indexes of the fields a CSV row is read from.
type columns struct{ symbol, date, price, width int }

// Open detects the format of the price file r, named name (for errors and,
// for a Yahoo file, the symbol), and returns a Reader of its quotes. symbol
// names the symbol of a Yahoo file, overriding its name; it is an error for
// any other format, whose rows name their own symbols.
func Open(r io.Reader, name, symbol string) (*Reader, error) {
	src, err := decompress(bufio.NewReaderSize(r, 64<<10))
	if err != nil {
		return nil, &Error{File: name, Line: 1, Err: err}
	}
	pr := &Reader{name: name, src: src}
	head, err := pr.readLine()
	if err == io.EOF {
		return nil, pr.errorf(0, "empty file: no header")
	}
	if err != nil {
		return nil, err
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if err := pr.detect(head, symbol); err != nil {
		return nil, err
	}
	if symbol != "" && pr.format != YahooCSV {
		return nil, pr.errorf(0, "a symbol is given but this is a %s file, whose rows name their symbols", pr.format)
	}
	return pr, nil
}

// decompress returns a reader of the gzip stream in src, if it is one.
func decompress(src *bufio.Reader) (*bufio.Reader, error) {
	magic, _ := src.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return src, nil
	}
	z, err := gzip.NewReader(src)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return bufio.NewReaderSize(z, 64<<10), nil
}

// Format returns the detected format.
func (r *Reader) Format() Format { return r.format }

// Symbol returns the symbol of a Yahoo file.
func (r *Reader) Symbol() string { return r.symbol }

// Line returns the line of the quote Next returned last.
func (r *Reader) Line() int { return r.line }

// detect reads the header (or the first NDJSON line).
func (r *Reader) detect(head []byte, symbol string) error {
	if t := bytes.TrimSpace(head); len(t) > 0 && t[0] == '{' {
		r.format, r.first = NDJSON, head
		return nil
	}
	fields, _, err := splitCSV(string(head))
	if err != nil {
		return r.errorf(err.column, "%v", err.err)
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = strings.ToLower(strings.TrimSpace(f))
	}
	if cols, ok := longColumns(names); ok {
		r.format, r.cols = LongCSV, cols
		return nil
	}
	if cols, ok := yahooColumns(names); ok {
		r.format, r.cols = YahooCSV, cols
		return r.yahooSymbol(symbol)
	}
	return r.errorf(1, "unknown header %q: want a CSV header symbol,date,price; a Yahoo header Date,Open,High,Low,Close,Adj Close,Volume; or NDJSON events", clip(string(head)))
}

// longColumns finds symbol, date and price in a long CSV header; no other
// column is allowed.
func longColumns(names []string) (columns, bool) {
	c := columns{symbol: -1, date: -1, price: -1, width: len(names)}
	for i, n := range names {
		switch n {
		case "symbol":
			c.symbol = i
		case "date", "time", "timestamp":
			c.date = i
		case "price":
			c.price = i
		default:
			return c, false
		}
	}
	return c, len(names) == 3 && c.symbol >= 0 && c.date >= 0 && c.price >= 0
}

// yahooColumns finds Date and Close in a Yahoo header.
func yahooColumns(names []string) (columns, bool) {
	c := columns{symbol: -1, date: -1, price: -1, width: len(names)}
	for i, n := range names {
		switch n {
		case "date":
			c.date = i
		case "close":
			c.price = i
		case "open", "high", "low", "adj close", "volume":
		default:
			return c, false
		}
	}
	return c, c.date >= 0 && c.price >= 0
}

// yahooSymbol sets the symbol of a Yahoo file: the one given, or the file's
// name without its extensions ("AAPL.csv.gz" is AAPL).
func (r *Reader) yahooSymbol(given string) error {
	src := given
	if src == "" {
		src = filepath.Base(r.name)
		if i := strings.Index(src, ".csv"); i > 0 {
			src = src[:i]
		}
	}
	sym, err := stock.ParseSymbol(src)
	if err != nil && given == "" {
		return r.errorf(0, "a Yahoo file holds one symbol: name the file after it (AAPL.csv) or give --symbol (%v)", err)
	}
	if err != nil {
		return err
	}
	r.symbol = sym
	return nil
}

// Next returns the next quote; io.EOF after the last one.
func (r *Reader) Next() (stock.Quote, error) {
	for {
		line, err := r.nextLine()
		if err != nil {
			return stock.Quote{}, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		q, ok, err := r.parse(line)
		if err != nil || ok {
			return q, err
		}
	}
}

// nextLine returns the first NDJSON line once, then the following lines.
func (r *Reader) nextLine() ([]byte, error) {
	if r.first != nil {
		line := r.first
		r.first = nil
		return line, nil
	}
	return r.readLine()
}

// readLine reads one line without its end ("\n" or "\r\n"), refusing lines
// over MaxLine. The line is valid until the next read.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.src.ReadSlice('\n')
	r.line++
	if errors.Is(err, bufio.ErrBufferFull) || len(line) > MaxLine {
		return nil, r.errorf(0, "line longer than %d bytes", MaxLine)
	}
	if err == io.EOF && len(line) > 0 {
		err = nil
	}
	if err != nil {
		if err != io.EOF {
			err = r.errorf(0, "%v", err)
		}
		return nil, err
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	return bytes.TrimSuffix(line, []byte{'\r'}), nil
}

// parse reads one non-blank line; ok is false for a row to skip.
func (r *Reader) parse(line []byte) (q stock.Quote, ok bool, err error) {
	if r.format == NDJSON {
		q, err = r.parseEvent(line)
		return q, err == nil, err
	}
	fields, starts, ferr := splitCSV(string(line))
	if ferr != nil {
		return q, false, r.errorf(ferr.column, "%v", ferr.err)
	}
	if len(fields) != r.cols.width {
		return q, false, r.errorf(0, "%d fields, the header has %d", len(fields), r.cols.width)
	}
	if r.format == YahooCSV && strings.EqualFold(strings.TrimSpace(fields[r.cols.price]), "null") {
		r.Skipped++
		return q, false, nil
	}
	q.Symbol = r.symbol
	if r.format == LongCSV {
		if q.Symbol, err = stock.ParseSymbol(strings.TrimSpace(fields[r.cols.symbol])); err != nil {
			return q, false, r.errorf(starts[r.cols.symbol]+1, "%v", err)
		}
	}
	if q.Timestamp, err = parseTime(strings.TrimSpace(fields[r.cols.date])); err != nil {
		return q, false, r.errorf(starts[r.cols.date]+1, "%v", err)
	}
	if q.Price, err = r.price(strings.TrimSpace(fields[r.cols.price])); err != nil {
		return q, false, r.errorf(starts[r.cols.price]+1, "%v", err)
	}
	return q, true, nil
}

// price parses a price, counting it if rounded.
func (r *Reader) price(s string) (stock.Price, error) {
	p, rounded, err := parsePrice(s)
	if rounded && err == nil {
		r.Rounded++
	}
	return p, err
}

// event is a StockPriceEvent line with its price kept as written, so that
// it can be rounded as CSV prices are.
type event struct {
	ID        string          `json:"id"`
	Symbol    string          `json:"symbol"`
	Price     json.RawMessage `json:"price"`
	Timestamp string          `json:"timestamp"`
	Open      json.RawMessage `json:"open"` // as a snapshot entry has it; ignored
}

// parseEvent reads one NDJSON line.
func (r *Reader) parseEvent(line []byte) (stock.Quote, error) {
	var e event
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return stock.Quote{}, r.errorf(int(se.Offset), "invalid JSON: %v", err)
		}
		return stock.Quote{}, r.errorf(0, "not a StockPriceEvent: %v", err)
	}
	if dec.More() {
		return stock.Quote{}, r.errorf(int(dec.InputOffset())+1, "data after the event: one event per line")
	}
	var q stock.Quote
	var err error
	if q.Symbol, err = stock.ParseSymbol(e.Symbol); err != nil {
		return q, r.errorf(0, "%v", err)
	}
	if e.Timestamp == "" {
		return q, r.errorf(0, "no timestamp")
	}
	if q.Timestamp, err = parseTime(e.Timestamp); err != nil {
		return q, r.errorf(0, "%v", err)
	}
	if len(e.Price) == 0 || string(e.Price) == "null" {
		return q, r.errorf(0, "no price")
	}
	if c := e.Price[0]; c != '-' && (c < '0' || c > '9') {
		return q, r.errorf(0, "price must be a JSON number, not %s", clip(string(e.Price)))
	}
	if q.Price, err = r.price(string(e.Price)); err != nil {
		return q, r.errorf(0, "%v", err)
	}
	return q, nil
}

// errorf returns an *Error at the current line and column col.
func (r *Reader) errorf(col int, format string, a ...any) error {
	return &Error{File: r.name, Line: max(r.line, 1), Column: col, Err: fmt.Errorf(format, a...)}
}

// minTime is the earliest timestamp accepted: the server refuses earlier.
var minTime = time.Unix(0, 0).UTC()

// timeLayouts are the date and time layouts accepted, tried in order. A
// layout without a zone is UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"Jan 2 2006",
	"Jan 2, 2006",
	"January 2 2006",
	"January 2, 2006",
	"2 Jan 2006",
	"20060102",
}

// parseTime parses a date or time in one of timeLayouts.
func parseTime(s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Before(minTime) {
				return time.Time{}, fmt.Errorf("date %q is before 1970", s)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q: use 2006-01-02, Jan 2 2006 or RFC 3339 such as 2006-01-02T15:04:05Z", clip(s))
}

// clip shortens text quoted in an error.
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
