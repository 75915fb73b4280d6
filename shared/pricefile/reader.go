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
	// CSV is any CSV file with a date and a price column (see Columns).
	CSV Format = iota + 1
	// NDJSON is one StockPriceEvent per line.
	NDJSON
)

func (f Format) String() string {
	switch f {
	case CSV:
		return "CSV"
	case NDJSON:
		return "NDJSON events"
	}
	return "unknown"
}

// MaxLine is the longest line a price file may have, in bytes.
const MaxLine = 64 << 10

// Options say how to read a price file.
type Options struct {
	// Symbol is the symbol of a CSV file without a symbol column; the
	// file's name is, if empty (AAPL.csv holds AAPL). It is an error for a
	// file whose rows name their symbols.
	Symbol string
	// Adjusted reads the adjusted close (Adj Close, adjusted_close)
	// instead of the close.
	Adjusted bool
	// Location is where a time written without a zone is, and whose 16:00
	// a date alone stands for; nil is DefaultTimeZone.
	Location *time.Location
}

// Layout is what a Reader found a file to be.
type Layout struct {
	Format Format
	Gzip   bool
	// Separator, Columns and Decimal are those of a CSV file; Decimal is
	// the decimal mark of its prices, 0 before one is read.
	Separator byte
	Columns   Columns
	Decimal   byte
	// Symbol is the symbol of every row of a file without a symbol
	// column, and SymbolFrom where it came from.
	Symbol, SymbolFrom string
	// Location is where times without a zone are read.
	Location *time.Location
}

func (l Layout) String() string {
	var b strings.Builder
	b.WriteString(l.Format.String())
	if l.Format == CSV {
		fmt.Fprintf(&b, ", %s", separatorName(l.Separator))
	}
	if l.Gzip {
		b.WriteString(", gzip")
	}
	if l.Format != CSV {
		return b.String()
	}
	c := l.Columns
	fmt.Fprintf(&b, "; date %s", c.Date)
	if c.Time.used() {
		fmt.Fprintf(&b, " with time %s", c.Time)
	}
	fmt.Fprintf(&b, ", price %s", c.Price)
	if c.Symbol.used() {
		fmt.Fprintf(&b, ", symbol %s", c.Symbol)
	} else {
		fmt.Fprintf(&b, ", symbol %s (%s)", l.Symbol, l.SymbolFrom)
	}
	if l.Decimal == ',' {
		b.WriteString(`, decimal ","`)
	}
	return b.String()
}

// Reader reads the quotes of one price file.
type Reader struct {
	name   string
	layout Layout
	src    *bufio.Reader
	line   int
	first  []byte // a first line that is already data (NDJSON)
	dates  dateParser
	fields []string // of the last row, kept for the next
	starts []int

	// Skipped counts the rows without a price, by reason.
	Skipped Skips
	// Rounded counts the prices rounded to six decimal places.
	Rounded int
}

// Open detects the format of the price file r, named name (for errors
// and, for a file without a symbol column, its symbol), and returns a
// Reader of its quotes.
func Open(r io.Reader, name string, opt Options) (*Reader, error) {
	pr := &Reader{name: name, Skipped: Skips{}}
	loc := opt.Location
	if loc == nil {
		var err error
		if loc, err = time.LoadLocation(DefaultTimeZone); err != nil {
			return nil, fmt.Errorf("time zone: %w", err)
		}
	}
	pr.dates.loc, pr.layout.Location = loc, loc
	src, gz, err := decompress(bufio.NewReaderSize(r, 64<<10))
	if err != nil {
		return nil, &Error{File: name, Line: 1, Err: err}
	}
	pr.src, pr.layout.Gzip = src, gz
	head, err := pr.readLine()
	if err == io.EOF {
		return nil, pr.errorf(0, "empty file: want a CSV header (Date,…,Close,…) or NDJSON events")
	}
	if err != nil {
		return nil, err
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if err := pr.detect(head, opt); err != nil {
		return nil, err
	}
	return pr, nil
}

// decompress returns a reader of the gzip stream in src, if it is one.
func decompress(src *bufio.Reader) (*bufio.Reader, bool, error) {
	magic, _ := src.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return src, false, nil
	}
	z, err := gzip.NewReader(src)
	if err != nil {
		return nil, true, fmt.Errorf("gzip: %w", err)
	}
	return bufio.NewReaderSize(z, 64<<10), true, nil
}

// Format returns the detected format.
func (r *Reader) Format() Format { return r.layout.Format }

// Layout returns what the file was found to be.
func (r *Reader) Layout() Layout { return r.layout }

// Line returns the line of the quote Next returned last.
func (r *Reader) Line() int { return r.line }

// detect reads the header (or the first NDJSON line).
func (r *Reader) detect(head []byte, opt Options) error {
	if t := bytes.TrimSpace(head); len(t) > 0 && t[0] == '{' {
		r.layout.Format, r.first = NDJSON, head
		if opt.Symbol != "" || opt.Adjusted {
			return r.errorf(0, "NDJSON events name their symbols and prices: a symbol or --adjusted does not apply")
		}
		return nil
	}
	sep := detectSeparator(string(head))
	fields, starts, ferr := splitCSV(string(head), sep, nil, nil)
	if ferr != nil {
		return r.errorf(ferr.column, "%v", ferr.err)
	}
	cols, herr := matchHeader(fields, starts, opt.Adjusted)
	if herr != nil {
		return r.errorf(herr.column, "%s", herr.msg)
	}
	r.layout.Format, r.layout.Separator, r.layout.Columns = CSV, sep, cols
	if sep == ',' {
		r.layout.Decimal = '.'
	}
	if cols.Symbol.used() {
		if opt.Symbol != "" {
			return r.errorf(cols.Symbol.Index+1, "a symbol is given, but this file's %s column names the symbol of each row", cols.Symbol)
		}
		return nil
	}
	return r.fileSymbol(opt.Symbol)
}

// fileSymbol sets the symbol of a file without a symbol column: the one
// given, or the file's name without its extensions ("AAPL.csv.gz" is
// AAPL).
func (r *Reader) fileSymbol(given string) error {
	src, from := given, "given"
	if src == "" {
		src, from = baseName(r.name), "from the file's name"
	}
	sym, err := stock.ParseSymbol(src)
	if err != nil && given == "" {
		return r.errorf(0, "this file has no symbol column: name the file after its symbol (AAPL.csv) or give its symbol with --symbol (--replay-symbol for serve --replay)")
	}
	if err != nil {
		return err
	}
	r.layout.Symbol, r.layout.SymbolFrom = sym, from
	return nil
}

// baseName returns a file's name without its directory and its price file
// extensions.
func baseName(name string) string {
	s := filepath.Base(name)
	for {
		ext := strings.ToLower(filepath.Ext(s))
		switch ext {
		case ".gz", ".csv", ".tsv", ".txt", ".ndjson", ".json":
			s = s[:len(s)-len(ext)]
			continue
		}
		return s
	}
}

// Next returns the next quote; io.EOF after the last one. Rows without a
// price are skipped and counted in Skipped.
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
	if r.layout.Format == NDJSON {
		q, err = r.parseEvent(line)
		return q, err == nil, err
	}
	c := r.layout.Columns
	fields, starts, ferr := splitCSV(string(line), r.layout.Separator, r.fields[:0], r.starts[:0])
	r.fields, r.starts = fields, starts
	if ferr != nil {
		return q, false, r.errorf(ferr.column, "%v", ferr.err)
	}
	if len(fields) != c.width {
		return q, false, r.errorf(0, "%d fields, the header has %d: want one %s between fields, and quotes around a field that holds one", len(fields), c.width, sepChar(r.layout.Separator))
	}
	if allBlank(fields) {
		r.Skipped["empty row"]++
		return q, false, nil
	}
	priceText := strings.TrimSpace(fields[c.Price.Index])
	if why := noPrice(priceText); why != "" {
		r.Skipped["no price ("+why+")"]++
		return q, false, nil
	}
	q.Symbol = r.layout.Symbol
	if c.Symbol.used() {
		if q.Symbol, err = stock.ParseSymbol(strings.TrimSpace(fields[c.Symbol.Index])); err != nil {
			return q, false, r.errorf(starts[c.Symbol.Index]+1, "%v", err)
		}
	}
	date := strings.TrimSpace(fields[c.Date.Index])
	if c.Time.used() {
		date += " " + strings.TrimSpace(fields[c.Time.Index])
	}
	if q.Timestamp, err = r.dates.parse(date); err != nil {
		return q, false, r.errorf(starts[c.Date.Index]+1, "%v", err)
	}
	plain, err := plainPrice(priceText, &r.layout.Decimal)
	if err == nil {
		q.Price, err = r.price(plain)
	}
	if err != nil {
		return q, false, r.errorf(starts[c.Price.Index]+1, "%v", err)
	}
	return q, true, nil
}

func allBlank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func sepChar(sep byte) string {
	if sep == '\t' {
		return "tab"
	}
	return fmt.Sprintf("%q", string(sep))
}

// price parses a price, counting it if rounded.
func (r *Reader) price(s string) (stock.Price, error) {
	p, rounded, err := parsePrice(s)
	if err != nil {
		return p, fmt.Errorf("%v: want a price such as 185.64, $1,234.56 or 185,64", err)
	}
	if rounded {
		r.Rounded++
	}
	return p, nil
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
			return stock.Quote{}, r.errorf(int(se.Offset), "invalid JSON: %v: want one StockPriceEvent per line", err)
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
		return q, r.errorf(0, "no timestamp: want \"timestamp\":\"2024-01-02T15:30:00Z\"")
	}
	if q.Timestamp, err = r.dates.parse(e.Timestamp); err != nil {
		return q, r.errorf(0, "%v", err)
	}
	if len(e.Price) == 0 || string(e.Price) == "null" {
		return q, r.errorf(0, "no price: want \"price\":185.64")
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

// clip shortens text quoted in an error.
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
