package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend/display"
	"github.com/stockstream/stockstream/backend/terminal"
	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/stock"
)

// defaultServer is the server watch reads when no URL is given.
const defaultServer = "http://localhost:8080"

// Conflation windows a server accepts.
const (
	minConflate = 10 * time.Millisecond
	maxConflate = time.Minute
)

// watchConfig is the command line of watch.
type watchConfig struct {
	url  string
	json bool
	opts client.Options
}

// parseWatch reads the command line of watch.
func (c *cli) parseWatch(args []string) (*watchConfig, error) {
	fs := flag.NewFlagSet("stockstream watch", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	var w watchConfig
	var symbols, token string
	fs.StringVar(&symbols, "symbols", "", "only these symbols, comma-separated (default: every symbol)")
	fs.StringVar(&token, "token", "", "subscriber token, sent as Authorization: Bearer on every connect (from stockstream token)")
	fs.BoolVar(&w.json, "json", false, "print NDJSON StockPriceEvents on stdout instead of the table (a snapshot as one line per symbol)")
	fs.DurationVar(&w.opts.Conflate, "conflate", 0, "ask the server for at most one price per symbol per window, 10ms to 1m (0: every price)")
	fs.StringVar(&w.opts.LastEventID, "from", "", "start after this event id (a snapshot if the server no longer holds what follows it)")
	fs.DurationVar(&w.opts.ReadTimeout, "read-timeout", client.DefaultReadTimeout, "reconnect when nothing, not even a heartbeat, arrives for this long")
	fs.Usage = usage(fs, "watch [flags] [URL]", "Shows the live prices of the server at URL (default "+defaultServer+"): a table redrawn in place\non a terminal, one line per price otherwise, or NDJSON with --json. It reconnects after\nevery drop and resumes exactly where it was; reconnects are logged to stderr.")
	rest, err := parseFlags(fs, args, c.getenv)
	if err != nil {
		return nil, err
	}
	var errs []error
	switch len(rest) {
	case 0:
		w.url = defaultServer
	case 1:
		w.url = withScheme(rest[0])
	default:
		errs = append(errs, fmt.Errorf("one URL at most, got %q", rest))
	}
	if symbols != "" {
		if w.opts.Symbols, err = stock.ParseSymbolList(symbols, 100); err != nil {
			errs = append(errs, fmt.Errorf("--symbols: %v", err))
		}
	}
	if d := w.opts.Conflate; d != 0 && (d < minConflate || d > maxConflate) {
		errs = append(errs, fmt.Errorf("--conflate: %s is out of range 10ms..1m", d))
	}
	if w.opts.ReadTimeout <= 0 {
		errs = append(errs, fmt.Errorf("--read-timeout: %s must be positive", w.opts.ReadTimeout))
	}
	if id := w.opts.LastEventID; id != "" {
		if _, ok := stock.ParseID(id); !ok {
			errs = append(errs, fmt.Errorf("--from: %q is not an event id (a decimal number)", id))
		}
	}
	if token = strings.TrimSpace(token); token != "" {
		w.opts.Token = func(context.Context) (string, error) { return token, nil }
	}
	if len(rest) <= 1 {
		if _, err := client.StreamURL(w.url, w.opts); err != nil {
			errs = append(errs, fmt.Errorf("URL: %v", err))
		}
	}
	return &w, errors.Join(errs...)
}

// watch shows a server's prices until ctx ends or the server refuses.
func (c *cli) watch(ctx context.Context, args []string) int {
	w, err := c.parseWatch(args)
	if err != nil {
		return c.usageError("watch", err)
	}
	out := c.newDisplay(w)
	defer out.Close()
	hide := tokenHider(w.url)
	w.opts.OnReconnect = func(r client.Reconnect) {
		out.Note(hide(fmt.Sprintf("connection lost (%v); reconnecting in %s, attempt %d, from id %s", r.Err, r.Wait.Round(time.Millisecond), r.Attempt, orNone(r.LastEventID))))
	}
	for m, err := range client.Subscribe(ctx, w.url, w.opts) {
		if ctx.Err() != nil {
			return exitOK
		}
		if err != nil {
			out.Close()
			fmt.Fprintln(c.stderr, hide(fmt.Sprintf("stockstream watch: %s: %v", redactedURL(w.url), err)))
			return exitError
		}
		if m.Missed {
			out.Note("resumed with a snapshot: the server no longer held the prices after the last id seen")
		}
		if err := out.Show(m); err != nil {
			out.Close()
			fmt.Fprintf(c.stderr, "stockstream watch: writing: %v\n", err)
			return exitError
		}
	}
	return exitOK
}

// tokenHider returns a function that replaces the access_token of
// streamURL, if it has one, in a message: the errors of net/http quote
// the URL, and no token belongs in a log.
func tokenHider(streamURL string) func(string) string {
	u, err := url.Parse(streamURL)
	if err != nil {
		return func(s string) string { return s }
	}
	var pairs []string
	for _, tok := range u.Query()["access_token"] {
		if tok != "" {
			pairs = append(pairs, url.QueryEscape(tok), "REDACTED", tok, "REDACTED")
		}
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}

func orNone(id string) string {
	if id == "" {
		return "(none)"
	}
	return id
}

// newDisplay picks NDJSON, the live table (on a terminal) or plain lines.
func (c *cli) newDisplay(w *watchConfig) display.Display {
	switch {
	case w.json:
		return display.NewJSON(c.stdout, c.stderr)
	case terminal.Is(c.stdout):
		return display.NewTable(c.stdout, c.stderr, w.url, c.getenv("NO_COLOR") == "")
	}
	return display.NewLines(c.stdout, c.stderr)
}
