package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/shared/pricefile"
)

// Published writes what a publish did: prices, symbols, time taken and
// rate, first and last timestamp, rows skipped and prices rounded.
func Published(w io.Writer, st feed.Stats, took time.Duration) {
	rate := float64(st.Prices) / max(took.Seconds(), 1e-9)
	fmt.Fprintf(w, "published %s of %s in %s (%s prices/s)", plural(st.Prices, "price"), plural(len(st.Symbols), "symbol"), took.Round(time.Millisecond), thousands(int64(rate)))
	if st.Prices > 0 {
		fmt.Fprintf(w, ", timestamps %s to %s", st.First.Format(time.RFC3339Nano), st.Last.Format(time.RFC3339Nano))
	}
	fmt.Fprintln(w)
	writeFixes(w, st.Skipped, st.Rounded)
}

// writeFixes writes the rows skipped and the prices rounded, if any.
func writeFixes(w io.Writer, skipped pricefile.Skips, rounded int) {
	if n := skipped.Total(); n > 0 {
		fmt.Fprintf(w, "skipped %s without a price: %s\n", plural(n, "row"), skipped)
	}
	if rounded > 0 {
		fmt.Fprintf(w, "rounded %s written as floats print them (181.27999877929688 or 181.279999 read as 181.28)\n", plural(rounded, "price"))
	}
}

// maxSymbolsListed bounds the symbols a dry run names per file.
const maxSymbolsListed = 10

// DryRun writes what publishing the files would do, file by file: the
// format and columns found, the symbols, prices, first and last
// timestamps and their order, and the rows skipped and why.
func DryRun(w io.Writer, files []*pricefile.File) {
	var all feed.Stats
	all.Symbols = map[string]bool{}
	for _, f := range files {
		s := f.Summary
		fmt.Fprintf(w, "%s: %s\n", s.Name, s.Layout)
		fmt.Fprintf(w, "  %s of %s (%s)", plural(s.Quotes, "price"), plural(len(s.Symbols), "symbol"), symbolList(s.Symbols))
		if s.Quotes > 0 {
			fmt.Fprintf(w, ", %s to %s, %s", s.First.Format(time.RFC3339Nano), s.Last.Format(time.RFC3339Nano), s.Order)
		}
		fmt.Fprintln(w)
		var b strings.Builder
		writeFixes(&b, s.Skipped, s.Rounded)
		for l := range strings.Lines(b.String()) {
			fmt.Fprintf(w, "  %s", l)
		}
		if s.Layout.Format == pricefile.CSV {
			fmt.Fprintf(w, "  times without a zone read in %s; a date alone is 16:00 there\n", s.Layout.Location)
		}
		if s.Quotes > 0 && (all.Prices == 0 || s.First.Before(all.First)) {
			all.First = s.First
		}
		if s.Quotes > 0 && s.Last.After(all.Last) {
			all.Last = s.Last
		}
		all.Prices += s.Quotes
		for sym := range s.Symbols {
			all.Symbols[sym] = true
		}
	}
	fmt.Fprintf(w, "dry run: would publish %s of %s", plural(all.Prices, "price"), plural(len(all.Symbols), "symbol"))
	if all.Prices > 0 {
		fmt.Fprintf(w, ", %s to %s", all.First.Format(time.RFC3339Nano), all.Last.Format(time.RFC3339Nano))
	}
	fmt.Fprintln(w, "; nothing was published")
}

// symbolList names the first symbols, sorted.
func symbolList(symbols map[string]int) string {
	syms := slices.Sorted(maps.Keys(symbols))
	if len(syms) > maxSymbolsListed {
		return strings.Join(syms[:maxSymbolsListed], ", ") + fmt.Sprintf(", … %d more", len(syms)-maxSymbolsListed)
	}
	return strings.Join(syms, ", ")
}
