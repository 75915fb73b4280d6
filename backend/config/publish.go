package config

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend/cmdline"
	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/stock"
)

// Publish is the configuration of stockstream publish.
type Publish struct {
	To       string // the server's base URL; empty with DryRun
	Token    string // its publish token
	Speed    feed.Speed
	Read     pricefile.Options
	RetryFor time.Duration // give up after failing this long; 0: never
	DryRun   bool
	Files    []string // "-" alone is standard input
}

// ParsePublish reads publish's command line, as ParseServe does serve's;
// the arguments are the files. A dry run needs neither server nor token.
func ParsePublish(args []string, getenv func(string) string, out io.Writer) (*Publish, error) {
	fs := cmdline.NewFlagSet("stockstream publish", "publish --to URL --token T [flags] FILE...|-",
		"Publishes price files through POST /api/prices, in batches of up to 5,000, with the files' own\n"+
			"timestamps: CSV as the common sources write it (long symbol,date,price; Yahoo, Stooq, Alpha\n"+
			"Vantage, Nasdaq, pandas; ',' ';' or tab separated), read as its closes, or NDJSON events as\n"+
			"watch --json prints them; gzip-compressed or not; - reads standard input. Every file is read\n"+
			"in full first: a file with one bad row publishes nothing. Times without a zone are read in\n"+
			"--tz (default "+pricefile.DefaultTimeZone+"), and a date alone is that day's close, 16:00 there.", out)
	var p Publish
	var speed, tokenFile, tz string
	fs.StringVar(&p.To, "to", "", "the server, e.g. http://localhost:8080 (required)")
	fs.StringVar(&p.Token, "token", "", "the server's publish token, sent as Authorization: Bearer (required)")
	fs.StringVar(&tokenFile, "token-file", "", "read the token from this file instead")
	fs.StringVar(&speed, "speed", "max", "pace against the file's timestamps: a factor such as 60x or 1x, or max (as fast as the server takes them)")
	fs.StringVar(&p.Read.Symbol, "symbol", "", "symbol of a file without a symbol column (default: the file's name, as in AAPL.csv)")
	fs.BoolVar(&p.Read.Adjusted, "adjusted", false, "publish the adjusted close (Adj Close, adj_close, adjusted_close) instead of the close")
	fs.StringVar(&tz, "tz", pricefile.DefaultTimeZone, "time zone of times written without one; a date alone is 16:00 (the close) there")
	fs.DurationVar(&p.RetryFor, "retry-for", 2*time.Minute, "give up when the server refuses or cannot be reached for this long (0: never)")
	fs.BoolVar(&p.DryRun, "dry-run", false, "read the files and say what would be published, without a server")
	files, err := cmdline.Parse(fs, args, getenv)
	if err != nil {
		return nil, err
	}
	p.Files = files
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !p.DryRun {
		p.checkServer(bad, tokenFile)
	}
	if p.Speed, err = feed.ParseSpeed(speed); err != nil {
		bad("--speed: %v", err)
	}
	if p.Read.Symbol != "" {
		if _, err := stock.ParseSymbol(p.Read.Symbol); err != nil {
			bad("--symbol: %v", err)
		}
	}
	if p.Read.Location, err = time.LoadLocation(tz); err != nil || tz == "" {
		bad("--tz: %q is not a time zone such as America/New_York, Europe/London or UTC", tz)
	}
	if p.RetryFor < 0 {
		bad("--retry-for: %s must not be negative", p.RetryFor)
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
func (p *Publish) checkServer(bad func(string, ...any), tokenFile string) {
	p.To = cmdline.ServerURL(p.To)
	if u, err := url.Parse(p.To); p.To == "" {
		bad("--to: the server's URL is required, e.g. --to http://localhost:8080")
	} else if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("--to: %q is not a URL like http://localhost:8080", p.To)
	}
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			bad("--token-file: %v", err)
		}
		p.Token = strings.TrimSpace(string(b))
	}
	switch {
	case p.Token == "":
		bad("--token: the server's publish token is required")
	case strings.ContainsAny(p.Token, " \t\r\n"):
		bad("--token: must not contain whitespace")
	}
}
