package pricefile

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Skips counts skipped rows by reason ("no price (null)", "empty row").
type Skips map[string]int

// Total is the number of rows skipped.
func (s Skips) Total() int {
	n := 0
	for _, c := range s {
		n += c
	}
	return n
}

// Add adds the counts of o to s.
func (s Skips) Add(o Skips) {
	for why, n := range o {
		s[why] += n
	}
}

// String lists the reasons, most frequent first: "2 no price (null), 1
// empty row".
func (s Skips) String() string {
	whys := slices.Collect(maps.Keys(s))
	slices.SortFunc(whys, func(a, b string) int {
		if s[a] != s[b] {
			return s[b] - s[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(whys))
	for i, why := range whys {
		parts[i] = fmt.Sprintf("%d %s", s[why], why)
	}
	return strings.Join(parts, ", ")
}

// Order is the order of a file's timestamps.
type Order int

// The orders a loaded file may have.
const (
	// OldestFirst: never going back in time.
	OldestFirst Order = iota
	// NewestFirst: never going forward, as Nasdaq's and Alpha Vantage's
	// downloads are; the quotes are read oldest first.
	NewestFirst
	// Runs: several runs in time order (one per symbol, say), merged
	// into one when read.
	Runs
	// FileOrder: too many runs to merge; read in the file's order.
	FileOrder
)

func (o Order) String() string {
	switch o {
	case NewestFirst:
		return "newest first: published oldest first"
	case Runs:
		return "in several runs, each in time order: merged into time order"
	case FileOrder:
		return "not in time order: published in the file's order"
	}
	return "oldest first"
}

// Summary is what a loaded price file holds.
type Summary struct {
	Name   string
	Layout Layout
	// Quotes counts the prices; Symbols, the prices of each symbol.
	Quotes  int
	Symbols map[string]int
	// First and Last are the earliest and the latest timestamp.
	First, Last time.Time
	Order       Order
	// Runs is the number of runs in time order (1 unless Order is Runs
	// or FileOrder).
	Runs    int
	Skipped Skips
	Rounded int
}

// MaxRuns is the most runs in time order a file may hold to be read in
// time order: each costs a small read buffer while it is read.
const MaxRuns = 1024

// progressEvery is how many rows Load reads between calls to progress.
const progressEvery = 4096

// Load reads a price file in full, checking every row, and keeps its
// quotes in a temporary file (a record of 48 bytes per quote: memory stays
// bounded whatever the file's size) to be read in time order, as many
// times as wanted, with File.Quotes. A file with any error is refused
// whole, with the first error, before anything of it can be published.
// progress, if not nil, is called every few thousand rows with the rows
// read so far. Close the File to remove its temporary file.
func Load(ctx context.Context, r io.Reader, name string, opt Options, progress func(rows int)) (*File, error) {
	pr, err := Open(r, name, opt)
	if err != nil {
		return nil, err
	}
	s, err := newSpool()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &File{spool: s, symbols: map[string]string{}}
	f.Summary = Summary{Name: name, Symbols: map[string]int{}, Runs: 1}
	if err := f.fill(ctx, pr, progress); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// fill reads every quote of pr into the spool.
func (f *File) fill(ctx context.Context, pr *Reader, progress func(int)) error {
	var ord orderTracker
	for {
		q, err := pr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := f.spool.append(q, pr.Line()); err != nil {
			return fmt.Errorf("%s: %w", f.Summary.Name, err)
		}
		ord.add(q.Timestamp, f.Summary.Quotes)
		f.count(q)
		if f.Summary.Quotes%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if progress != nil {
				progress(f.Summary.Quotes + pr.Skipped.Total())
			}
		}
	}
	if err := f.spool.finish(); err != nil {
		return fmt.Errorf("%s: %w", f.Summary.Name, err)
	}
	f.Summary.Layout, f.Summary.Skipped, f.Summary.Rounded = pr.Layout(), pr.Skipped, pr.Rounded
	f.Summary.Order, f.runs = ord.result(f.Summary.Quotes)
	f.Summary.Runs = len(f.runs)
	if progress != nil {
		progress(f.Summary.Quotes + pr.Skipped.Total())
	}
	return nil
}

// count adds q to the summary.
func (f *File) count(q stock.Quote) {
	s := &f.Summary
	if s.Quotes == 0 || q.Timestamp.Before(s.First) {
		s.First = q.Timestamp
	}
	if s.Quotes == 0 || q.Timestamp.After(s.Last) {
		s.Last = q.Timestamp
	}
	s.Quotes++
	if _, ok := f.symbols[q.Symbol]; !ok {
		f.symbols[q.Symbol] = q.Symbol
	}
	s.Symbols[q.Symbol]++
}

// run is a span of a file's quotes in time order: the records from start
// to end, read backwards if reversed.
type run struct {
	start, end int
	reversed   bool
}

// orderTracker finds the runs of a file in both directions as it is read,
// keeping at most MaxRuns boundaries of each.
type orderTracker struct {
	last       time.Time
	n          int
	up, down   []int // where a run going forward (backward) in time starts
	upN, downN int   // how many such runs there are
}

func (o *orderTracker) add(t time.Time, i int) {
	if o.n > 0 {
		if t.Before(o.last) {
			o.upN++
			if len(o.up) < MaxRuns {
				o.up = append(o.up, i)
			}
		}
		if t.After(o.last) {
			o.downN++
			if len(o.down) < MaxRuns {
				o.down = append(o.down, i)
			}
		}
	}
	o.last = t
	o.n++
}

// result returns the order of n quotes and their runs, choosing the
// direction with fewer runs.
func (o *orderTracker) result(n int) (Order, []run) {
	switch {
	case o.upN == 0:
		return OldestFirst, []run{{0, n, false}}
	case o.downN == 0:
		return NewestFirst, []run{{0, n, true}}
	case min(o.upN, o.downN)+1 > MaxRuns:
		return FileOrder, []run{{0, n, false}}
	case o.upN <= o.downN:
		return Runs, spans(o.up, n, false)
	}
	return Runs, spans(o.down, n, true)
}

// spans turns the starts of runs after the first into runs.
func spans(starts []int, n int, reversed bool) []run {
	out := make([]run, 0, len(starts)+1)
	prev := 0
	for _, s := range append(starts, n) {
		out = append(out, run{prev, s, reversed})
		prev = s
	}
	return out
}
