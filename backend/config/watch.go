package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend/cmdline"
	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/stock"
)

// DefaultServer is the server watch reads when no URL is given.
const DefaultServer = "http://localhost:8080"

// Conflation windows a server accepts.
const (
	minConflate = 10 * time.Millisecond
	maxConflate = time.Minute
)

// Watch is the configuration of stockstream watch.
type Watch struct {
	URL  string // the server, or its stream's URL
	JSON bool   // NDJSON events instead of the table
	// Options are the stream's: symbols, conflation, where to start, the
	// read timeout and the token. OnReconnect is left to the caller.
	Options client.Options
}

// ParseWatch reads watch's command line, as ParseServe does serve's.
func ParseWatch(args []string, getenv func(string) string, out io.Writer) (*Watch, error) {
	fs := cmdline.NewFlagSet("stockstream watch", "watch [flags] [URL]", "Shows the live prices of the server at URL (default "+DefaultServer+"): a table redrawn in place\non a terminal, one line per price otherwise, or NDJSON with --json. It reconnects after\nevery drop and resumes exactly where it was; reconnects are logged to stderr.", out)
	var w Watch
	var symbols, token string
	fs.StringVar(&symbols, "symbols", "", "only these symbols, comma-separated (default: every symbol)")
	fs.StringVar(&token, "token", "", "subscriber token, sent as Authorization: Bearer on every connect (from stockstream token)")
	fs.BoolVar(&w.JSON, "json", false, "print NDJSON StockPriceEvents on stdout instead of the table (a snapshot as one line per symbol)")
	fs.DurationVar(&w.Options.Conflate, "conflate", 0, "ask the server for at most one price per symbol per window, 10ms to 1m (0: every price)")
	fs.StringVar(&w.Options.LastEventID, "from", "", "start after this event id (a snapshot if the server no longer holds what follows it)")
	fs.DurationVar(&w.Options.ReadTimeout, "read-timeout", client.DefaultReadTimeout, "reconnect when nothing, not even a heartbeat, arrives for this long")
	rest, err := cmdline.Parse(fs, args, getenv)
	if err != nil {
		return nil, err
	}
	var errs []error
	switch len(rest) {
	case 0:
		w.URL = DefaultServer
	case 1:
		w.URL = cmdline.ServerURL(rest[0])
	default:
		errs = append(errs, fmt.Errorf("one URL at most, got %q", rest))
	}
	if symbols != "" {
		if w.Options.Symbols, err = stock.ParseSymbolList(symbols, 100); err != nil {
			errs = append(errs, fmt.Errorf("--symbols: %v", err))
		}
	}
	if d := w.Options.Conflate; d != 0 && (d < minConflate || d > maxConflate) {
		errs = append(errs, fmt.Errorf("--conflate: %s is out of range 10ms..1m", d))
	}
	if w.Options.ReadTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--read-timeout: %s must be positive", w.Options.ReadTimeout))
	}
	if id := w.Options.LastEventID; id != "" {
		if _, ok := stock.ParseID(id); !ok {
			errs = append(errs, fmt.Errorf("--from: %q is not an event id (a decimal number)", id))
		}
	}
	if token = strings.TrimSpace(token); token != "" {
		w.Options.Token = func(context.Context) (string, error) { return token, nil }
	}
	if len(rest) <= 1 {
		if _, err := client.StreamURL(w.URL, w.Options); err != nil {
			errs = append(errs, fmt.Errorf("URL: %v", err))
		}
	}
	return &w, errors.Join(errs...)
}
