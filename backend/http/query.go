package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// Bounds of the query parameters.
const (
	minConflate  = 10 * time.Millisecond
	maxConflate  = 60 * time.Second
	defaultBars  = 60
	maxBars      = 1440
	maxParamEcho = 20 // characters of a refused value quoted back
)

// barIntervals are the bar lengths GET /api/stocks/:symbol/bars serves.
var barIntervals = map[string]time.Duration{
	"1m":  time.Minute,
	"5m":  5 * time.Minute,
	"15m": 15 * time.Minute,
	"1h":  time.Hour,
}

// barsQuery is what GET /api/stocks/:symbol/bars asks for.
type barsQuery struct {
	interval time.Duration
	limit    int
}

// parseBarsQuery reads interval= (1m, 5m, 15m or 1h; 1m if absent) and
// limit= (1 to 1440; 60 if absent) from a raw query. A malformed query, a
// repeated parameter or any other value is an error.
func parseBarsQuery(raw string) (barsQuery, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return barsQuery{}, errorf(http.StatusBadRequest, "malformed query string")
	}
	bq := barsQuery{interval: time.Minute, limit: defaultBars}
	if v, ok, err := single(q, "interval"); err != nil {
		return bq, err
	} else if ok {
		if bq.interval, ok = barIntervals[v]; !ok {
			return bq, errorf(http.StatusBadRequest, "interval %.*q: want 1m, 5m, 15m or 1h", maxParamEcho, v)
		}
	}
	if v, ok, err := single(q, "limit"); err != nil {
		return bq, err
	} else if ok {
		if bq.limit, err = parseLimit(v); err != nil {
			return bq, err
		}
	}
	return bq, nil
}

// parseLimit parses a bar count: plain decimal digits, 1 to maxBars.
func parseLimit(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxBars || v[0] == '+' {
		return 0, errorf(http.StatusBadRequest, "limit %.*q: want a whole number from 1 to %d", maxParamEcho, v, maxBars)
	}
	return n, nil
}

// parseConflate reads conflate=: absent is no conflation; otherwise a
// duration from 10ms to 60s, in whole milliseconds (finer is truncated).
func parseConflate(q url.Values) (time.Duration, error) {
	v, ok, err := single(q, "conflate")
	if err != nil || !ok {
		return 0, err
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < minConflate || d > maxConflate {
		return 0, errorf(http.StatusBadRequest, "conflate %.*q: want a duration from 10ms to 60s, such as 250ms", maxParamEcho, v)
	}
	return d.Truncate(time.Millisecond), nil
}

// parseSymbolsFilter reads symbols= of a stream: absent is no filter
// (nil); otherwise its values, joined with commas as one list, must be a
// list stock.ParseSymbolList accepts with at most max symbols. An empty
// item is refused, whether the list has others or not (symbols=,
// symbols=,, symbols=AAPL,,MSFT): it never means every symbol.
func parseSymbolsFilter(q url.Values, max int) ([]string, error) {
	vs, ok := q["symbols"]
	if !ok {
		return nil, nil
	}
	return stock.ParseSymbolList(strings.Join(vs, ","), max)
}

// single returns the one value of a query parameter; ok is false if it is
// absent, and more than one value is an error.
func single(q url.Values, name string) (v string, ok bool, err error) {
	switch vs := q[name]; len(vs) {
	case 0:
		return "", false, nil
	case 1:
		return vs[0], true, nil
	default:
		return "", false, errorf(http.StatusBadRequest, "%s given %d times: give it once", name, len(vs))
	}
}
