package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/backend/publisher"
	"github.com/stockstream/stockstream/backend/report"
	"github.com/stockstream/stockstream/backend/terminal"
	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/stock"
)

// publishConfig is the command line of publish.
type publishConfig struct {
	to       string // the server's base URL
	token    string
	speed    feed.Speed
	read     pricefile.Options
	retryFor time.Duration
	dryRun   bool
	files    []string
}

// parsePublish reads the command line of publish.
func (c *cli) parsePublish(args []string) (*publishConfig, error) {
	fs := flag.NewFlagSet("stockstream publish", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	var p publishConfig
	var speed, tokenFile, tz string
	fs.StringVar(&p.to, "to", "", "the server, e.g. http://localhost:8080 (required)")
	fs.StringVar(&p.token, "token", "", "the server's publish token, sent as Authorization: Bearer (required)")
	fs.StringVar(&tokenFile, "token-file", "", "read the token from this file instead")
	fs.StringVar(&speed, "speed", "max", "pace against the file's timestamps: a factor such as 60x or 1x, or max (as fast as the server takes them)")
	fs.StringVar(&p.read.Symbol, "symbol", "", "symbol of a file without a symbol column (default: the file's name, as in AAPL.csv)")
	fs.BoolVar(&p.read.Adjusted, "adjusted", false, "publish the adjusted close (Adj Close, adj_close, adjusted_close) instead of the close")
	fs.StringVar(&tz, "tz", pricefile.DefaultTimeZone, "time zone of times written without one; a date alone is 16:00 (the close) there")
	fs.DurationVar(&p.retryFor, "retry-for", 2*time.Minute, "give up when the server refuses or cannot be reached for this long (0: never)")
	fs.BoolVar(&p.dryRun, "dry-run", false, "read the files and say what would be published, without a server")
	fs.Usage = usage(fs, "publish --to URL --token T [flags] FILE...|-",
		"Publishes price files through POST /api/prices, in batches of up to 5,000, with the files' own\n"+
			"timestamps: CSV as the common sources write it (long symbol,date,price; Yahoo, Stooq, Alpha\n"+
			"Vantage, Nasdaq, pandas; ',' ';' or tab separated), read as its closes, or NDJSON events as\n"+
			"watch --json prints them; gzip-compressed or not; - reads standard input. Every file is read\n"+
			"in full first: a file with one bad row publishes nothing. Times without a zone are read in\n"+
			"--tz (default "+pricefile.DefaultTimeZone+"), and a date alone is that day's close, 16:00 there.")
	files, err := parseFlags(fs, args, c.getenv)
	if err != nil {
		return nil, err
	}
	p.files = files
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !p.dryRun {
		p.checkServer(bad, tokenFile)
	}
	if p.speed, err = feed.ParseSpeed(speed); err != nil {
		bad("--speed: %v", err)
	}
	if p.read.Symbol != "" {
		if _, err := stock.ParseSymbol(p.read.Symbol); err != nil {
			bad("--symbol: %v", err)
		}
	}
	if p.read.Location, err = time.LoadLocation(tz); err != nil || tz == "" {
		bad("--tz: %q is not a time zone such as America/New_York, Europe/London or UTC", tz)
	}
	if p.retryFor < 0 {
		bad("--retry-for: %s must not be negative", p.retryFor)
	}
	if len(files) == 0 {
		bad("name a price file, or - for standard input")
	}
	for _, f := range files {
		if f == "-" && len(files) > 1 {
			bad("- (standard input) cannot be given with other files")
		}
	}
	return &p, errors.Join(errs...)
}

// checkServer checks --to and the token.
func (p *publishConfig) checkServer(bad func(string, ...any), tokenFile string) {
	p.to = withScheme(p.to)
	if u, err := url.Parse(p.to); p.to == "" {
		bad("--to: the server's URL is required, e.g. --to http://localhost:8080")
	} else if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("--to: %q is not a URL like http://localhost:8080", p.to)
	}
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			bad("--token-file: %v", err)
		}
		p.token = strings.TrimSpace(string(b))
	}
	switch {
	case p.token == "":
		bad("--token: the server's publish token is required")
	case strings.ContainsAny(p.token, " \t\r\n"):
		bad("--token: must not contain whitespace")
	}
}

// publish loads price files in full, then posts them to a server, or with
// --dry-run says what it would post.
func (c *cli) publish(ctx context.Context, args []string) int {
	p, err := c.parsePublish(args)
	if err != nil {
		return c.usageError("publish", err)
	}
	meter := report.New(c.stderr, terminal.Is(c.stderr), func(s string) { fmt.Fprintf(c.stderr, "stockstream publish: %s\n", s) })
	files, err := feed.Load(ctx, c.publishSources(p.files), p.read, meter)
	if err != nil {
		fmt.Fprintf(c.stderr, "stockstream publish: %v\nstockstream publish: nothing was published\n", err)
		return exitError
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	if p.dryRun {
		report.DryRun(c.stdout, files)
		return exitOK
	}
	total := 0
	for _, f := range files {
		total += f.Summary.Quotes
	}
	meter.Publishing(total)
	pub := publisher.NewClient(p.to, p.token, p.retryFor, meter.Note)
	r := &feed.Replay{Files: files, Speed: p.speed, Progress: func(st feed.Stats) { meter.Published(st.Prices, st.Last) }}
	st, err := r.Run(ctx, pub)
	meter.Finish()
	if err != nil {
		fmt.Fprintf(c.stderr, "stockstream publish: %v\n", err)
		if st.Prices > 0 {
			fmt.Fprintf(c.stderr, "stockstream publish: %d prices were published before that\n", st.Prices)
		}
		return exitError
	}
	report.Published(c.stdout, st, time.Since(st.Started))
	return exitOK
}

// publishSources returns the files to read, "-" being standard input.
func (c *cli) publishSources(names []string) []feed.Source {
	out := make([]feed.Source, len(names))
	for i, name := range names {
		out[i] = feed.Source{Name: name, Open: func() (io.ReadCloser, error) {
			if name == "-" {
				return io.NopCloser(c.stdin), nil
			}
			return os.Open(name)
		}}
	}
	if len(names) == 1 && names[0] == "-" {
		out[0].Name = "<stdin>"
	}
	return out
}
