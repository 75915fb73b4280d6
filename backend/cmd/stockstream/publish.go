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
	"github.com/stockstream/stockstream/shared/stock"
)

// publishConfig is the command line of publish.
type publishConfig struct {
	to       string // the server's base URL
	token    string
	speed    feed.Speed
	symbol   string
	retryFor time.Duration
	files    []string
}

// parsePublish reads the command line of publish.
func (c *cli) parsePublish(args []string) (*publishConfig, error) {
	fs := flag.NewFlagSet("stockstream publish", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	var p publishConfig
	var speed, tokenFile string
	fs.StringVar(&p.to, "to", "", "the server, e.g. http://localhost:8080 (required)")
	fs.StringVar(&p.token, "token", "", "the server's publish token, sent as Authorization: Bearer (required)")
	fs.StringVar(&tokenFile, "token-file", "", "read the token from this file instead")
	fs.StringVar(&speed, "speed", "max", "pace against the file's timestamps: a factor such as 60x or 1x, or max (as fast as the server takes them)")
	fs.StringVar(&p.symbol, "symbol", "", "symbol of a Yahoo-style file (default: the file's name, as in AAPL.csv)")
	fs.DurationVar(&p.retryFor, "retry-for", 2*time.Minute, "give up when the server refuses or cannot be reached for this long (0: never)")
	fs.Usage = usage(fs, "publish --to URL --token T [flags] FILE...|-",
		"Publishes price files (long CSV symbol,date,price; Yahoo daily CSV, read as its closes;\nNDJSON events as watch --json prints them; gzip-compressed or not; - reads standard input)\nthrough POST /api/prices, in batches of up to 5,000, with the files' own timestamps.")
	files, err := parseFlags(fs, args, c.getenv)
	if err != nil {
		return nil, err
	}
	p.files = files
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
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
	if p.speed, err = feed.ParseSpeed(speed); err != nil {
		bad("--speed: %v", err)
	}
	if p.symbol != "" {
		if _, err := stock.ParseSymbol(p.symbol); err != nil {
			bad("--symbol: %v", err)
		}
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

// publish posts price files to a server.
func (c *cli) publish(ctx context.Context, args []string) int {
	p, err := c.parsePublish(args)
	if err != nil {
		return c.usageError("publish", err)
	}
	prog := newProgress(c.stderr, isTerminal(c.stderr))
	sources := c.publishSources(p.files, prog)
	pub := newHTTPPublisher(p.to, p.token, p.retryFor, prog.note)
	r := &feed.Replay{Sources: sources, Symbol: p.symbol, Speed: p.speed, Progress: prog.update}
	st, err := r.Run(ctx, pub)
	prog.done()
	if err != nil {
		fmt.Fprintf(c.stderr, "stockstream publish: %v\n", err)
		if st.Prices > 0 {
			fmt.Fprintf(c.stderr, "stockstream publish: %d prices were published before that\n", st.Prices)
		}
		return exitError
	}
	printSummary(c.stdout, st, time.Since(st.Started))
	return exitOK
}

// publishSources returns the files to read, "-" being standard input,
// counting the bytes read for the progress bar.
func (c *cli) publishSources(names []string, prog *progress) []feed.Source {
	out := make([]feed.Source, len(names))
	for i, name := range names {
		out[i] = feed.Source{Name: name, Open: func() (io.ReadCloser, error) {
			if name == "-" {
				return prog.count(io.NopCloser(c.stdin), 0), nil
			}
			f, err := os.Open(name)
			if err != nil {
				return nil, err
			}
			size := int64(0)
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				size = fi.Size()
			}
			return prog.count(f, size), nil
		}}
	}
	if len(names) == 1 && names[0] == "-" {
		out[0].Name = "stdin"
	}
	return out
}

// printSummary says what was published.
func printSummary(w io.Writer, st feed.Stats, took time.Duration) {
	rate := float64(st.Prices) / max(took.Seconds(), 1e-9)
	fmt.Fprintf(w, "published %s prices of %d symbols in %s (%s prices/s)", thousands(int64(st.Prices)), len(st.Symbols), took.Round(time.Millisecond), thousands(int64(rate)))
	if st.Prices > 0 {
		fmt.Fprintf(w, ", timestamps %s to %s", st.First.Format(time.RFC3339Nano), st.Last.Format(time.RFC3339Nano))
	}
	fmt.Fprintln(w)
	if st.Skipped > 0 {
		fmt.Fprintf(w, "skipped %s rows without a price (null)\n", thousands(int64(st.Skipped)))
	}
	if st.Rounded > 0 {
		fmt.Fprintf(w, "rounded %s prices with more than 6 decimal places (float artefacts such as 181.27999877929688, read as 181.28)\n", thousands(int64(st.Rounded)))
	}
}

// thousands writes n with thousands separators: 12,345.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
