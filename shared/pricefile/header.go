package pricefile

import (
	"fmt"
	"slices"
	"strings"
)

// Column is a column of a CSV file that is read.
type Column struct {
	Name  string // as the header writes it
	Index int    // from 0
}

// used reports whether the column is read.
func (c Column) used() bool { return c.Name != "" }

func (c Column) String() string { return fmt.Sprintf("%q (column %d)", c.Name, c.Index+1) }

// Columns are the columns of a CSV header that a price file is read from.
// Every other column is ignored.
type Columns struct {
	Date Column
	// Time, when used, holds the time of day of a file that writes it
	// apart from the date (Date,Time,…): the two are read together.
	Time   Column
	Price  Column
	Symbol Column // unused when the file holds one symbol
	width  int    // fields a row has
}

// Column roles, by normalised header name.
var (
	dateNames     = []string{"date", "timestamp", "datetime", "time"}
	priceNames    = []string{"close", "closelast", "price"}
	adjustedNames = []string{"adjclose", "adjustedclose"}
	symbolNames   = []string{"symbol", "ticker"}
)

// normalName returns a header name as it is compared: ASCII letters in
// lower case, without spaces, tabs, '_', '-', '/', '.', '<' and '>' ("Adj
// Close", "adj_close" and "<CLOSE>" become "adjclose" and "close"). Other
// bytes are kept as they are, so no non-ASCII name matches.
func normalName(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case strings.IndexByte(" \t_-/.<>", c) >= 0:
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// headerError is a header that cannot be read, at a column (from 1, 0 for
// the whole line).
type headerError struct {
	column int
	msg    string
}

// matchHeader finds the columns of a CSV header whose fields are names
// (starting at starts): the date (date, timestamp, datetime or time, or
// date and time apart), the price (close, close/last or price; with
// adjusted, adj close or adjusted close), and an optional symbol (symbol
// or ticker). Each must be there at most once; other columns are ignored.
func matchHeader(names []string, starts []int, adjusted bool) (Columns, *headerError) {
	found := map[string][]int{}
	for i, n := range names {
		n = normalName(n)
		found[n] = append(found[n], i)
	}
	col := func(i int) Column { return Column{Name: strings.TrimSpace(names[i]), Index: i} }
	at := func(i int) int { return starts[i] + 1 }
	c := Columns{width: len(names)}
	// Each name at most once.
	for _, n := range slices.Concat(dateNames, priceNames, adjustedNames, symbolNames) {
		if idx := found[n]; len(idx) > 1 {
			return c, &headerError{at(idx[1]), fmt.Sprintf("two columns are named %q: columns %d and %d", strings.TrimSpace(names[idx[0]]), idx[0]+1, idx[1]+1)}
		}
	}
	date, err := matchDate(found, names)
	if err != nil {
		return c, err
	}
	if date[0] < 0 {
		return c, &headerError{1, fmt.Sprintf("no date column: want one named date, timestamp, datetime or time; the header has %s", listNames(names))}
	}
	c.Date = col(date[0])
	if date[1] >= 0 {
		c.Time = col(date[1])
	}
	price, err := matchPrice(found, names, adjusted)
	if err != nil {
		return c, err
	}
	c.Price = col(price)
	if s, err := matchOne(found, names, symbolNames, "symbol"); err != nil {
		return c, err
	} else if s >= 0 {
		c.Symbol = col(s)
	}
	return c, nil
}

// matchDate finds the date column and, when the time is apart, the time
// column (-1 if none).
func matchDate(found map[string][]int, names []string) ([2]int, *headerError) {
	if d, t := found["date"], found["time"]; len(d) == 1 && len(t) == 1 && len(found["timestamp"])+len(found["datetime"]) == 0 {
		return [2]int{d[0], t[0]}, nil
	}
	i, err := matchOne(found, names, dateNames, "date")
	return [2]int{i, -1}, err
}

// matchPrice finds the price column.
func matchPrice(found map[string][]int, names []string, adjusted bool) (int, *headerError) {
	if adjusted {
		i, err := matchOne(found, names, adjustedNames, "adjusted close")
		if err == nil && i < 0 {
			err = &headerError{1, fmt.Sprintf("no adjusted close column (adj close, adj_close, adjclose or adjusted_close) for --adjusted; the header has %s", listNames(names))}
		}
		return i, err
	}
	i, err := matchOne(found, names, priceNames, "price")
	if err == nil && i < 0 {
		msg := fmt.Sprintf("no price column: want one named close, close/last or price; the header has %s", listNames(names))
		if a, _ := matchOne(found, names, adjustedNames, ""); a >= 0 {
			msg = fmt.Sprintf("no close column, but an adjusted one, %q: publish it with --adjusted", strings.TrimSpace(names[a]))
		}
		err = &headerError{1, msg}
	}
	return i, err
}

// matchOne returns the one column named by any of want (-1 if none), and
// an error if two are.
func matchOne(found map[string][]int, names, want []string, role string) (int, *headerError) {
	at := -1
	for _, n := range want {
		idx := found[n]
		if len(idx) == 0 {
			continue
		}
		if at >= 0 {
			a, b := min(at, idx[0]), max(at, idx[0])
			return -1, &headerError{1, fmt.Sprintf("two %s columns, %q (column %d) and %q (column %d): keep one", role, strings.TrimSpace(names[a]), a+1, strings.TrimSpace(names[b]), b+1)}
		}
		at = idx[0]
	}
	return at, nil
}

// listNames lists a header's names for an error, shortened.
func listNames(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
	}
	return fmt.Sprintf("%q", clip(b.String()))
}
